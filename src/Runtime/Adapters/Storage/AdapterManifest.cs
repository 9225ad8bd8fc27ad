using Peft.Runtime.Storage;

using System.Text.Json;

namespace Peft.Runtime.Adapters.Storage;

/// <summary>
/// The registered adapters, persisted as <c>manifest.json</c> in the store directory so registrations survive a
/// restart. Every save writes the full list through <see cref="DurableFile"/>: a crash leaves the previous manifest
/// or the new one. Loads and saves in this process are serialised; replicas sharing the store change it only under
/// the store's lock (<see cref="AdapterStore.ChangeManifest"/>). A manifest that cannot be read is moved aside,
/// never deleted, and startup continues with none.
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
    /// <c>manifest.json.corrupt-&lt;time&gt;</c> and reported in <see cref="ManifestReadResult.Problem"/>.
    /// On a shared store, only under the store's lock: moving aside what another replica just replaced would
    /// lose its change.</summary>
    public ManifestReadResult Load()
    {
        lock (gate)
        {
            var read = Parse();
            if (read.Problem is null) return read;
            string aside = MoveAside();
            return new ManifestReadResult([],
                $"adapter manifest {FilePath} is unreadable: {read.Problem}; moved it to {aside} and started with no registered adapters", aside);
        }
    }

    /// <summary>The saved entries as they are now, changing nothing: a corrupt manifest gives no entries and a
    /// <see cref="ManifestReadResult.Problem"/>. Safe without the store's lock, since saves replace the file whole.</summary>
    public ManifestReadResult Read()
    {
        var read = Parse();
        return read.Problem is null ? read : new ManifestReadResult([], $"adapter manifest {FilePath} is unreadable: {read.Problem}");
    }

    private ManifestReadResult Parse()
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
        try
        {
            var file = JsonSerializer.Deserialize(bytes, ManifestJsonContext.Default.ManifestFile);
            var (entries, formatProblem) = ManifestFormat.FromFile(file);
            return entries is not null ? new ManifestReadResult(entries) : new ManifestReadResult([], formatProblem);
        }
        catch (JsonException e)
        {
            return new ManifestReadResult([], $"not valid JSON ({e.Message})");
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

    /// <summary>Temporary files of saves cut short by a crash. Called at startup under the store's lock, so no save
    /// of another replica sharing the store is between its write and its rename.</summary>
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
