namespace Peft.Tools.DemoModel.Tokenizer;

/// <summary>One merge rule as token ids: <see cref="Left"/> followed by <see cref="Right"/> becomes <see cref="Result"/>.</summary>
internal readonly record struct BpeMerge(int Left, int Right, int Result)
{
    /// <summary>Both ids in one key, for the pair dictionaries of the trainer and the encoder.</summary>
    public static long Key(int left, int right) => ((long)left << 32) | (uint)right;
}
