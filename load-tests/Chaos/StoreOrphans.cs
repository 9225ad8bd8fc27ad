namespace Peft.LoadTests.Chaos;

/// <summary>Files in an adapter store that nothing lists: the cleanup a restart must have done.</summary>
internal static class StoreOrphans
{
    /// <summary>
    /// Upload directories (<c>adapters/&lt;id&gt;/&lt;version&gt;</c>, or an <c>adapters/&lt;id&gt;</c> with no version) that no
    /// listed adapter's path names, and anything left in the staging area <c>.incoming</c>.
    /// </summary>
    public static IReadOnlyList<string> Find(string store, IEnumerable<string> listedPaths)
    {
        var listed = listedPaths.Select(p => Path.GetFullPath(p).TrimEnd(Path.DirectorySeparatorChar)).ToHashSet(StringComparer.Ordinal);
        var orphans = new List<string>();
        string adapters = Path.Combine(store, "adapters");
        if (Directory.Exists(adapters))
        {
            foreach (string id in Directory.GetDirectories(adapters).Order(StringComparer.Ordinal))
            {
                string[] versions = Directory.GetDirectories(id);
                if (versions.Length == 0 && !listed.Contains(Path.GetFullPath(id))) orphans.Add(Path.GetRelativePath(store, id));
                orphans.AddRange(versions.Where(v => !listed.Contains(Path.GetFullPath(v))).Order(StringComparer.Ordinal).Select(v => Path.GetRelativePath(store, v)));
            }
        }
        string incoming = Path.Combine(store, ".incoming");
        if (Directory.Exists(incoming))
            orphans.AddRange(Directory.GetFileSystemEntries(incoming).Order(StringComparer.Ordinal).Select(e => Path.GetRelativePath(store, e)));
        return orphans;
    }
}
