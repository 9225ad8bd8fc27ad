namespace Peft.Runtime.Training.Datasets;

/// <summary>
/// One tokenized example. <see cref="LossMask"/>[i] says whether predicting token i (from the tokens before it)
/// counts towards the loss: completion tokens (and the closing EOS) for prompt/completion data, every token but the
/// first for plain text.
/// </summary>
public sealed record TrainingExample(int[] TokenIds, bool[] LossMask)
{
    public int Length => TokenIds.Length;

    public int LossTokens => LossMask.Count(m => m);
}
