using System.Text.Json;

namespace Peft.Runtime.Training.Jobs;

/// <summary>A job as stored in its directory (job.json), so jobs and their outcomes survive restarts.</summary>
internal sealed record JobRecord(
    string JobId,
    TrainingJobSpec Spec,
    TrainingJobState State,
    string? Error,
    string? AdapterVersion,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt)
{
    public const string FileName = "job.json";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static JobRecord Of(TrainingJobInfo info) =>
        new(info.JobId, info.Spec, info.State, info.Error, info.AdapterVersion, info.CreatedAt, info.FinishedAt);

    /// <summary>Written to a temp file and renamed, so a crash leaves the old record or the new one.</summary>
    public void Save(string directory)
    {
        string path = Path.Combine(directory, FileName);
        string temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(this, Json));
        File.Move(temp, path, overwrite: true);
    }

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
