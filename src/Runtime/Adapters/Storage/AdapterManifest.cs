using Peft.Runtime.Storage;

using System.Text.Json;

namespace Peft.Runtime.Adapters.Storage;

/// <summary>
/// The registered adapters, persisted as <c>manifest.json</c> in the store directory so registrations survive a
/// restart. Every save writes the full list through <see cref="DurableFile"/>: a crash leaves the previous manifest
/// or the new one. Loads and saves are serialised, so concurrent saves cannot interleave and the last one wins
/// whole. A manifest that cannot be read is moved aside, never deleted, and startup continues with none.
/// </summary>
public sealed class AdapterManifest
{
    public const string FileName = "manifest.json";

    private readonly Lock gate = new();
    private readonly TimeProvider time;
    private readonly FileWrites writes;

    public AdapterManifest(string directory, TimeProvider? time = null, FileWrites? writes = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        FilePath = Path.Combine(Path.GetFullPath(directory), FileName);
        this.time = time ?? TimeProvider.System;
        this.writes = writes ?? FileWrites.Direct;
    }

    public string FilePath { get; }

    /// <summary>The saved entries; none when there is no manifest yet. A corrupt manifest is renamed to
    /// <c>manifest.json.corrupt-&lt;time&gt;</c> and reported in <see cref="ManifestReadResult.Problem"/>.</summary>
    public ManifestReadResult Load()
    {
        lock (gate)
        {
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(FilePath);
            }
            catch (FileNotFoundException)
            {
                return new ManifestReadResult([]);
            }

            string problem;
            try
            {
                var file = JsonSerializer.Deserialize(bytes, ManifestJsonContext.Default.ManifestFile);
                var (entries, formatProblem) = ManifestFormat.FromFile(file);
                if (entries is not null)
                    return new ManifestReadResult(entries);
                problem = formatProblem!;
            }
            catch (JsonException e)
            {
                problem = $"not valid JSON ({e.Message})";
            }
            string aside = MoveAside();
            return new ManifestReadResult([],
                $"adapter manifest {FilePath} is unreadable: {problem}; moved it to {aside} and started with no registered adapters", aside);
        }
    }

    /// <summary>Replaces the manifest with <paramref name="entries"/>, the full list of registered adapters.</summary>
    /// <exception cref="ArgumentException">An entry that a later <see cref="Load"/> would reject (invalid id,
    /// relative path, empty version or type, an id twice): refused now rather than discovered at the next start.</exception>
    public void Save(IEnumerable<ManifestEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var list = entries.ToList();
        if (ManifestFormat.Problem(list) is { } problem)
            throw new ArgumentException($"adapter manifest not saved: {problem}");
        byte[] bytes = JsonSerializer.SerializeToUtf8Bytes(ManifestFormat.ToFile(list), ManifestJsonContext.Default.ManifestFile);
        lock (gate)
        {
            DurableFile.Replace(FilePath, bytes, writes);
        }
    }

    /// <summary>Temporary files of saves cut short by a crash. Called at startup, before any save.</summary>
    internal void RemoveLeftoverTemporaryFiles()
    {
        string directory = Path.GetDirectoryName(FilePath)!;
        foreach (string leftover in Directory.EnumerateFiles(directory, DurableFile.TemporaryPattern(FileName)))
            DurableFile.TryDelete(leftover);
    }

    private string MoveAside()
    {
        string aside = $"{FilePath}.corrupt-{time.GetUtcNow():yyyyMMdd'T'HHmmssfff'Z'}";
        if (File.Exists(aside))
            aside = $"{aside}-{Guid.NewGuid():N}";
        File.Move(FilePath, aside);
        Posix.FlushDirectory(Path.GetDirectoryName(FilePath)!);
        return aside;
    }
}
