using Peft.Runtime.Adapters.Storage;

namespace Peft.Runtime.Adapters.Registry;

/// <summary>
/// Replicas sharing one store. Consistency rule: the store's manifest is the truth. Every change a replica makes is
/// made there first, under the store's lock against the manifest as it is then (so concurrent changes on different
/// replicas all land), and then in its own memory; every other replica brings its memory to the manifest: when
/// <see cref="SyncAsync"/> runs (the server runs it on a change notice and on a timer, Adapters:StoreSyncInterval)
/// and, for an id it does not know, once before answering NOT_FOUND (<see cref="Find"/>). A version is the
/// adapter's content hash, so the same adapter is the same version on every replica. Requests running on a version
/// that another replica replaced or unloaded finish on it, as on the replica that made the change: a leased
/// version keeps its parsed copy in memory, so its files may go. An uploaded version's folder is deleted by the
/// replica that retired it when nothing runs on it there, or by whichever replica's last request on it ends, and
/// only while the manifest lists it nowhere (checked under the lock).
/// </summary>
public sealed partial class AdapterRegistry
{
    /// <summary>Brings memory to the manifest: registers what it lists and memory lacks or holds at another version,
    /// and forgets what it no longer lists. Adapters that fail to load are reported and left as they were; a manifest
    /// that cannot be read changes nothing. A change this replica makes while the sync runs is newer than what the
    /// sync read, so the sync leaves that id alone.</summary>
    public async Task<StoreSyncResult> SyncAsync(CancellationToken cancellationToken = default)
    {
        // Taken before the read: anything changed here after it went to the manifest after the read.
        Dictionary<string, AdapterVersion> before;
        lock (_gate) before = new(_current, StringComparer.Ordinal);
        var read = _store.ReadManifest();
        if (read.Problem is not null)
            return new StoreSyncResult([], [(AdapterManifest.FileName, new IOException(read.Problem))]);
        var listed = read.Entries.Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
        var changed = new List<string>();
        var failures = new List<(string, Exception)>();
        foreach (var entry in read.Entries)
        {
            try
            {
                var seen = before.GetValueOrDefault(entry.Id);
                if (await Task.Run(() => Adopt(entry, seen), cancellationToken)) changed.Add(entry.Id);
            }
            catch (Exception e) when (e is AdapterLoadException or IOException or UnauthorizedAccessException or ArgumentException)
            {
                failures.Add((entry.Id, e));
            }
        }
        foreach (var (id, seen) in before)
            if (!listed.Contains(id) && Forget(id, seen)) changed.Add(id);
        return new StoreSyncResult(changed, failures);
    }

    /// <summary>Registers <paramref name="id"/> from the manifest when it lists it (a request named it).</summary>
    private void AdoptFromStore(string id)
    {
        AdapterVersion? seen;
        lock (_gate) seen = _current.GetValueOrDefault(id);
        if (_store.ReadManifest().Entries.FirstOrDefault(e => e.Id == id) is not { } entry) return;
        try
        {
            Adopt(entry, seen);
        }
        catch (Exception e) when (e is AdapterLoadException or IOException or UnauthorizedAccessException)
        {
            // Unusable here: the request gets NOT_FOUND, the next sync reports why.
        }
    }

    /// <param name="seen">What memory held for the id before the manifest was read.</param>
    /// <returns>True when memory changed.</returns>
    private bool Adopt(ManifestEntry entry, AdapterVersion? seen)
    {
        if (seen is not null && seen.ContentHash == entry.Version && seen.Directory == entry.Path) return false;
        var (host, _) = ReadValidated(entry.Id, entry.Path, entry.Version);
        var version = new AdapterVersion(entry.Id, entry.Path, entry.Version, AdapterFacts.Of(host), entry.RegisteredAt);
        version.SetHost(host);
        lock (_changes)
        {
            lock (_gate)
            {
                // Changed here since the read (a local change, or a concurrent adopt): that is newer; keep it.
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

    private bool Forget(string id, AdapterVersion seen)
    {
        lock (_changes)
        {
            lock (_gate)
            {
                if (_current.GetValueOrDefault(id) != seen) return false;
                _current.Remove(id);
                RetireLocked(seen);
            }
        }
        Retired?.Invoke(seen);
        return true;
    }
}

/// <param name="Changed">Ids registered, replaced or forgotten to match the manifest.</param>
/// <param name="Failures">Listed adapters that could not be loaded here.</param>
public sealed record StoreSyncResult(IReadOnlyList<string> Changed, IReadOnlyList<(string Id, Exception Error)> Failures);
