namespace Peft.LoadTests.Chaos;

/// <summary>Files in an adapter store that nothing lists: the cleanup a restart must have done.</summary>
internal static class StoreOrphans
{
    /// <summary>
    /// Upload directories (<c>adapters/&lt;id&gt;/&lt;version&gt;</c>, or an <c>adapters/&lt;id&gt;</c> with no version) that no
    /// listed adapter's path names, and anything left in the staging area <c>.incoming</c> (its replicas' slots and their
    /// lock files aside).
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
        {
            // Each replica's staging slot (replica-<n>/) and its lock file (replica-<n>.lock) belong to the store and stay;
            // what a slot still holds, and anything else here, is left over.
            foreach (string entry in Directory.GetFileSystemEntries(incoming).Order(StringComparer.Ordinal))
            {
                if (IsSlotLock(entry)) continue;
                if (IsSlot(entry)) orphans.AddRange(Directory.GetFileSystemEntries(entry).Order(StringComparer.Ordinal).Select(e => Path.GetRelativePath(store, e)));
                else orphans.Add(Path.GetRelativePath(store, entry));
            }
        }
        return orphans;
    }

    private static bool IsSlot(string entry) => Directory.Exists(entry) && SlotNumber(Path.GetFileName(entry));

    private static bool IsSlotLock(string entry) =>
        File.Exists(entry) && Path.GetExtension(entry) == ".lock" && SlotNumber(Path.GetFileNameWithoutExtension(entry));

    private static bool SlotNumber(string name) =>
        name.StartsWith("replica-", StringComparison.Ordinal) && name.Length > "replica-".Length && name["replica-".Length..].All(char.IsAsciiDigit);
}
