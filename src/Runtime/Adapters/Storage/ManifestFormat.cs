namespace Peft.Runtime.Adapters.Storage;

/// <summary>Conversion between <see cref="ManifestEntry"/> and the on-disk <see cref="ManifestFile"/>, and the one
/// set of rules both saving and loading apply, so that nothing saved can fail to load.</summary>
internal static class ManifestFormat
{
    public static ManifestFile ToFile(IEnumerable<ManifestEntry> entries) => new()
    {
        Format = ManifestFile.CurrentFormat,
        Adapters = [.. entries.Select(e => new ManifestFile.Entry
        {
            Id = e.Id,
            Path = e.Path,
            Version = e.Version,
            PeftType = e.PeftType,
            RegisteredAt = e.RegisteredAt,
        })],
    };

    /// <summary>The entries, or null and what is wrong with the file.</summary>
    public static (IReadOnlyList<ManifestEntry>? Entries, string? Problem) FromFile(ManifestFile? file)
    {
        if (file is null)
            return (null, "the document is JSON null");
        if (file.Format != ManifestFile.CurrentFormat)
            return (null, $"format {file.Format?.ToString() ?? "(missing)"}, expected {ManifestFile.CurrentFormat}");
        if (file.Adapters is null)
            return (null, "no \"adapters\" list");
        var entries = new List<ManifestEntry>(file.Adapters.Count);
        for (int i = 0; i < file.Adapters.Count; i++)
        {
            if (file.Adapters[i] is not { } e)
                return (null, $"entry {i} is null");
            string? missing = e.Id is null ? "id" : e.Path is null ? "path" : e.Version is null ? "version"
                : e.PeftType is null ? "peft_type" : e.RegisteredAt is null ? "registered_at" : null;
            if (missing is not null)
                return (null, $"entry {i} has no \"{missing}\"");
            entries.Add(new ManifestEntry(e.Id!, e.Path!, e.Version!, e.PeftType!, e.RegisteredAt!.Value));
        }
        return Problem(entries) is { } problem ? (null, problem) : (entries, null);
    }

    /// <summary>What is wrong with these entries as a registry, or null.</summary>
    public static string? Problem(IReadOnlyList<ManifestEntry> entries)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            string? problem = e is null ? "is null"
                : !AdapterId.IsValid(e.Id) ? "has an invalid id"
                : string.IsNullOrEmpty(e.Path) || !Path.IsPathRooted(e.Path) ? "has a path that is not absolute"
                : string.IsNullOrEmpty(e.Version) ? "has an empty version"
                : string.IsNullOrEmpty(e.PeftType) ? "has an empty peft_type"
                : !seen.Add(e.Id) ? $"repeats id '{e.Id}'"
                : null;
            if (problem is not null)
                return $"entry {i} {problem}";
        }
        return null;
    }
}
