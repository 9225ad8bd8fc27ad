using System.Text.Json;
using System.Text.Json.Serialization;
using Peft.Runtime.Storage;

namespace Peft.Runtime.Training.Jobs;

/// <summary>
/// A job as stored in its directory (job.json), so jobs, their outcomes and their last progress point survive
/// restarts. <see cref="Progress"/> is what a finished job shows after a restart (its step, loss and eval loss).
/// </summary>
internal sealed record JobRecord(
    string JobId,
    TrainingJobSpec Spec,
    TrainingJobState State,
    string? Error,
    string? AdapterVersion,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt,
    TrainingProgress? Progress = null)
{
    public const string FileName = "job.json";

    // A diverged run's loss is NaN, the step-0 point's training loss always is: both must be writable.
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static JobRecord Of(TrainingJobInfo info) =>
        new(info.JobId, info.Spec, info.State, info.Error, info.AdapterVersion, info.CreatedAt, info.FinishedAt, info.Progress);

    /// <summary>Replaced durably (temporary file, fsync, rename, fsync of the directory): a crash leaves the old
    /// record or the new one.</summary>
    public void Save(string directory, FileWrites writes) =>
        DurableFile.Replace(Path.Combine(directory, FileName), JsonSerializer.SerializeToUtf8Bytes(this, Json), writes);

    public static JobRecord? Load(string directory)
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<JobRecord>(File.ReadAllText(path), Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
