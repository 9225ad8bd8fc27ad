namespace Peft.Server.Options;

/// <summary>The <c>Training</c> section: where jobs keep their records and checkpoints, and where datasets may be
/// read from by path. Validated by <see cref="TrainingOptionsValidator"/>.</summary>
public sealed class TrainingOptions
{
    public const string Section = "Training";

    /// <summary>Job records, their data, checkpoints and outputs; interrupted jobs resume from here at the next
    /// start. Created when missing. Default <c>var/training-jobs</c>.</summary>
    public string JobsDirectory { get; set; } = "var/training-jobs";

    /// <summary>Directory StartTraining may read datasets from by path. Default: none (datasets are sent inline or
    /// uploaded).</summary>
    public string? DataRoot { get; set; }

    /// <summary>Cap on one dataset (inline, uploaded or read by path). Default 256 MiB.</summary>
    public long MaxDatasetBytes { get; set; } = 256L << 20;
}
