using Peft.Runtime.Adapters.Storage;

namespace Peft.Runtime.Adapters.Registry;

/// <summary>
/// Replicas sharing one store. Consistency rule: the store's manifest is the truth. Every change a replica makes is
/// written there first (atomically: a whole new file renamed over the old one) and then made in its memory; every
/// other replica brings its memory to the manifest: when <see cref="SyncAsync"/> runs (the server runs it on a
/// change notice and on a timer, Adapters:StoreSyncInterval) and, for an id it does not know, once before answering
/// NOT_FOUND. A version is the adapter's content hash, so the same adapter is the same version on every replica.
/// Requests running on a version that another replica replaced or unloaded finish on it, as on the replica that
/// made the change: their parsed copy stays in memory while they run, so the files of a retired version may go
/// (whichever replica retires it last with nothing running on it deletes an uploaded version's folder).
/// </summary>
public sealed partial class AdapterRegistry
{
    /// <summary>Brings memory to the manifest: registers what it lists and memory lacks or holds at another version,
    /// and forgets what it no longer lists. Adapters that fail to load are reported and left as they were.</summary>
    public async Task<StoreSyncResult> SyncAsync(CancellationToken cancellationToken = default)
    {
        var entries = _store.LoadManifest().Entries;
        var listed = entries.Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
        var changed = new List<string>();
        var failures = new List<(string, Exception)>();
        foreach (var entry in entries)
        {
            try
            {
                if (await Task.Run(() => Adopt(entry), cancellationToken)) changed.Add(entry.Id);
            }
            catch (Exception e) when (e is AdapterLoadException or IOException or UnauthorizedAccessException or ArgumentException)
            {
                failures.Add((entry.Id, e));
            }
        }
        string[] gone;
        lock (_gate) gone = [.. _current.Keys.Where(id => !listed.Contains(id))];
        foreach (string id in gone)
            if (Forget(id)) changed.Add(id);
        return new StoreSyncResult(changed, failures);
    }

    /// <summary>Registers <paramref name="id"/> from the manifest when it lists it (a request named it).</summary>
    private void AdoptFromStore(string id)
    {
        if (_store.LoadManifest().Entries.FirstOrDefault(e => e.Id == id) is not { } entry) return;
        try
        {
            Adopt(entry);
        }
        catch (Exception e) when (e is AdapterLoadException or IOException or UnauthorizedAccessException)
        {
            // Unusable here: the request gets NOT_FOUND, the next sync reports why.
        }
    }

    /// <returns>True when memory changed.</returns>
    private bool Adopt(ManifestEntry entry)
    {
        AdapterVersion? seen;
        lock (_gate) _current.TryGetValue(entry.Id, out seen);
        if (seen is not null && seen.ContentHash == entry.Version && seen.Directory == entry.Path) return false;
        var (host, _) = ReadValidated(entry.Id, entry.Path, entry.Version);
        var version = new AdapterVersion(entry.Id, entry.Path, entry.Version, AdapterFacts.Of(host), entry.RegisteredAt);
        version.SetHost(host);
        lock (_changes)
        {
            lock (_gate)
            {
                // A change made here meanwhile went to the manifest after the one read; the next sync decides.
                if (_current.GetValueOrDefault(entry.Id) != seen)
                {
                    host.Dispose();
                    return false;
                }
                _current[entry.Id] = version;
                if (seen is not null) RetireLocked(seen);
            }
        }
        if (seen is not null) Retired?.Invoke(seen);
        TrimHostTier();
        return true;
    }

    private bool Forget(string id)
    {
        AdapterVersion? version;
        lock (_changes)
        {
            lock (_gate)
            {
                if (!_current.Remove(id, out version)) return false;
                RetireLocked(version);
            }
        }
        Retired?.Invoke(version);
        return true;
    }
}

/// <param name="Changed">Ids registered, replaced or forgotten to match the manifest.</param>
/// <param name="Failures">Listed adapters that could not be loaded here.</param>
public sealed record StoreSyncResult(IReadOnlyList<string> Changed, IReadOnlyList<(string Id, Exception Error)> Failures);
