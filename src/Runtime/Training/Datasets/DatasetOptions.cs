namespace Peft.Runtime.Training.Datasets;

/// <summary>What to do with an example longer than <see cref="DatasetOptions.MaxSequenceLength"/>.</summary>
public enum OverLongPolicy
{
    /// <summary>Refuse the dataset, naming the line.</summary>
    Reject,

    /// <summary>Keep the first tokens (the prompt side), dropping the tail.</summary>
    Truncate,
}

public sealed record DatasetOptions
{
    /// <summary>Tokens per example including BOS/EOS and (for prompt learning) not counting virtual tokens.
    /// 0 (for a job): 256, or what the model's context leaves next to the virtual tokens.</summary>
    public int MaxSequenceLength { get; init; } = 256;

    public OverLongPolicy OverLong { get; init; } = OverLongPolicy.Reject;

    /// <summary>At most this many bytes of JSONL are read.</summary>
    public long MaxBytes { get; init; } = 256L << 20;
}
