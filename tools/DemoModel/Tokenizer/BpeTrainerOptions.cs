namespace Peft.Tools.DemoModel.Tokenizer;

/// <summary>Settings of <see cref="BpeTrainer"/>, with the demo tokenizer's defaults.</summary>
internal sealed record BpeTrainerOptions
{
    /// <summary>Target vocabulary size, special tokens and the 256 byte symbols included. Training stops earlier when
    /// no pair occurs <see cref="MinFrequency"/> times (in a small closed vocabulary every word ends up one token).</summary>
    public int VocabSize { get; init; } = 2048;

    /// <summary>A pair must occur this often to be merged; 2, as Hugging Face's ByteLevelBPETokenizer, skips one-offs.</summary>
    public long MinFrequency { get; init; } = 2;

    public IReadOnlyList<SpecialToken> SpecialTokens { get; init; } = SpecialToken.Defaults;

    public void Validate()
    {
        for (int i = 0; i < SpecialTokens.Count; i++)
        {
            if (SpecialTokens[i].Id != i)
                throw new ArgumentException($"Special tokens take the first ids in order; '{SpecialTokens[i].Content}' has id {SpecialTokens[i].Id}, expected {i}.");
        }
        int floor = SpecialTokens.Count + 256;
        if (VocabSize < floor)
            throw new ArgumentException($"Vocab size {VocabSize} is below {floor} (the special tokens plus the 256 byte symbols).");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MinFrequency);
    }
}
