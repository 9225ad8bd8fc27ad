using Peft.Runtime.Storage;

namespace Peft.Runtime.Training.Jobs;

public sealed record TrainingJobOptions
{
    /// <summary>Job records, their data and checkpoints.</summary>
    public required string JobsDirectory { get; init; }

    /// <summary>Written as base_model_name_or_path into trained adapters (the served model's path or hub name).</summary>
    public string BaseModelName { get; init; } = "";

    /// <summary>Directory datasets may be read from by path (null: paths are refused).</summary>
    public string? DataRoot { get; init; }

    /// <summary>Largest dataset accepted, inline, uploaded or by path.</summary>
    public long MaxDatasetBytes { get; init; } = 256L << 20;

    /// <summary>Progress points kept per job for watchers that join late (the loss curve).</summary>
    public int HistoryLimit { get; init; } = 2000;

    /// <summary>The seam in front of the jobs' writes (tests simulate a full disk through it).</summary>
    public FileWrites Writes { get; init; } = FileWrites.Direct;
}
