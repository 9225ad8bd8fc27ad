using Peft.Runtime.Adapters.Storage;
using Peft.Runtime.Storage;

using Peft.Runtime.Torch;

namespace Peft.Runtime.Adapters.Registry;

/// <summary>
/// The adapters the server knows, by id. Registration parses and validates off the caller's thread and swaps the
/// new version in atomically; requests take leases on the version current when they arrive and finish on it.
/// Parsed adapters live in a host tier bounded by <see cref="AdapterRegistryOptions.HostBudgetBytes"/>; the
/// device tier belongs to the engine. What is registered is persisted in the store's manifest. Thread-safe.
/// </summary>
public sealed partial class AdapterRegistry : IDisposable
{
    private readonly Lock _gate = new();
    // Serialises changes: each writes the manifest, then changes memory, so what a restart restores is what was
    // acknowledged. Readers take only _gate and see the state before or after a change.
    private readonly Lock _changes = new();
    private readonly Dictionary<string, AdapterVersion> _current = new(StringComparer.Ordinal);
    private readonly HashSet<AdapterVersion> _retired = [];
    private readonly BaseModel _baseModel;
    private readonly AdapterStore _store;
    private readonly AdapterRegistryOptions _options;
    private readonly TimeProvider _time;

    public AdapterRegistry(BaseModel baseModel, AdapterStore store, AdapterRegistryOptions options, TimeProvider time)
    {
        _baseModel = baseModel;
        _store = store;
        _options = options;
        _time = time;
    }

    public BaseModel BaseModel => _baseModel;

    public AdapterStore Store => _store;

    /// <summary>Raised (on the registering thread) after a version is retired by replace or unload.</summary>
    public event Action<AdapterVersion>? Retired;

    /// <summary>Registers the adapter directory at <paramref name="path"/> (under a configured root) as <paramref name="id"/>.</summary>
    public Task<AdapterVersion> RegisterAsync(string id, string path, bool replace, CancellationToken cancellationToken = default)
    {
        AdapterId.Validate(id);
        string directory = _store.Resolve(path);
        return RegisterResolvedAsync(id, directory, replace, cancellationToken);
    }

    /// <summary>Registers a directory already resolved inside the roots.</summary>
    public async Task<AdapterVersion> RegisterResolvedAsync(string id, string directory, bool replace, CancellationToken cancellationToken = default)
    {
        AdapterId.Validate(id);
        if (!replace) ThrowIfListed(id);
        var (host, hash) = await Task.Run(() => ReadValidated(id, directory, expectedHash: null), cancellationToken);
        // Checked under the store's lock: a replica may delete an unlisted upload folder named by path meanwhile.
        return Register(id, host, hash, replace, () => Directory.Exists(directory) ? directory
            : throw new AdapterLoadException($"adapter '{id}': {directory} was removed before it could be registered"));
    }

    /// <summary>
    /// Registers an upload the server received (from a client or a training job): validated where it was
    /// received, then moved into the store under the store's lock together with the manifest write that lists it,
    /// so no replica ever sees the folder without its entry. When this fails nothing is registered and disposing
    /// the upload removes what was received.
    /// </summary>
    public async Task<AdapterVersion> RegisterUploadAsync(AdapterUpload upload, bool replace, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(upload);
        string id = upload.AdapterId;
        if (!replace) ThrowIfListed(id);
        string staged = upload.Seal();
        var (host, hash) = await Task.Run(() => ReadValidated(id, staged, expectedHash: null), cancellationToken);
        string? committed = null;
        try
        {
            return Register(id, host, hash, replace, () => committed = upload.Commit());
        }
        catch when (committed is not null)
        {
            // Moved in, but the manifest write failed: the folder nobody lists goes now, or at the next start.
            TryDeleteStored(committed);
            throw;
        }
    }

    /// <summary>Writes the manifest entry (under the store's lock, against the manifest as it is then), then swaps
    /// the new version into memory. <paramref name="place"/> runs under the lock and says where the files are.</summary>
    private AdapterVersion Register(string id, HostAdapter host, string hash, bool replace, Func<string> place)
    {
        AdapterVersion? version = null;
        AdapterVersion? previous;
        lock (_changes)
        {
            try
            {
                Change(entries =>
                {
                    if (!replace && entries.Any(e => e.Id == id)) throw new AdapterExistsException(id);
                    version = new AdapterVersion(id, place(), hash, AdapterFacts.Of(host), _time.GetUtcNow());
                    return [.. entries.Where(e => e.Id != id), Entry(version)];
                }, $"adapter '{id}' was not registered");
            }
            catch
            {
                host.Dispose();
                throw;
            }
            version!.SetHost(host);
            lock (_gate)
            {
                _current.TryGetValue(id, out previous);
                _current[id] = version;
                if (previous is not null) RetireLocked(previous);
            }
        }
        if (previous is not null)
        {
            Retired?.Invoke(previous);
            DeleteIfUnusedUpload(previous);
        }
        TrimHostTier();
        return version;
    }

    /// <summary>Unregisters an adapter; requests running on it finish on it.</summary>
    /// <returns>The number of requests still running on the unloaded version here.</returns>
    /// <exception cref="AdapterNotFoundException">The store's manifest does not list it (never registered, or
    /// already unloaded, possibly by another replica sharing the store: then this replica forgets it too).</exception>
    public int Unregister(string id)
    {
        bool listed = false;
        AdapterVersion? version;
        lock (_changes)
        {
            // Durable first: an unload that cannot be recorded (a full disk) changes nothing, and says so.
            Change(entries =>
            {
                listed = entries.Any(e => e.Id == id);
                return listed ? [.. entries.Where(e => e.Id != id)] : null;
            }, $"adapter '{id}' was not unloaded");
            lock (_gate)
            {
                if (_current.Remove(id, out version)) RetireLocked(version);
            }
        }
        int inFlight = 0;
        if (version is not null)
        {
            Retired?.Invoke(version);
            inFlight = version.RequestsInFlight;
            DeleteIfUnusedUpload(version);
        }
        return listed ? inFlight : throw new AdapterNotFoundException(id);
    }

    /// <summary>A lease on the current version of <paramref name="id"/> for one request.</summary>
    /// <remarks>Looked up as <see cref="Find"/> does, so an id another replica registered is served at once.</remarks>
    public AdapterLease Acquire(string id) =>
        Find(id) is not null && TryAcquire(id) is { } lease ? lease : throw new AdapterNotFoundException(id);

    /// <summary>
    /// The current version of <paramref name="id"/>, or null. An id this registry does not know is looked up once
    /// in the store's manifest first: another replica sharing the store may have registered it (see
    /// <see cref="SyncAsync"/>). Every edge resolves adapter ids through here.
    /// </summary>
    public AdapterVersion? Find(string id)
    {
        lock (_gate)
            if (_current.TryGetValue(id, out var known)) return known;
        AdoptFromStore(id);
        lock (_gate) return _current.GetValueOrDefault(id);
    }

    /// <summary>True when the store's manifest lists <paramref name="id"/> now (whichever replica registered it).</summary>
    public bool IsListed(string id) => _store.ReadManifest().Entries.Any(e => e.Id == id);

    private AdapterLease? TryAcquire(string id)
    {
        lock (_gate)
        {
            if (!_current.TryGetValue(id, out var version)) return null;
            version.AddRequest(_time.GetUtcNow());
            return new AdapterLease(this, version);
        }
    }

    public AdapterVersion Get(string id) => Find(id) ?? throw new AdapterNotFoundException(id);

    public IReadOnlyList<AdapterVersion> List()
    {
        lock (_gate) return _current.Values.OrderBy(v => v.Id, StringComparer.Ordinal).ToArray();
    }

    /// <summary>Host bytes currently held by parsed adapters, current and retired-but-in-use.</summary>
    public long HostBytes
    {
        get
        {
            lock (_gate) return _current.Values.Concat(_retired).Where(v => v.HostIfLoaded is not null).Sum(v => v.Facts.SizeBytes);
        }
    }

    /// <summary>The parsed adapter of a leased version, loading it from disk off the engine thread when evicted.</summary>
    public Task<HostAdapter> EnsureHost(AdapterVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        var task = version.EnsureHost(() => ReadValidated(version.Id, version.Directory, version.ContentHash).Host);
        if (!task.IsCompleted) task.ContinueWith(_ => TrimHostTier(), TaskScheduler.Default);
        return task;
    }

    /// <summary>
    /// The engine moved a version off the device. Its host copy was exempt from the budget while it was there; trim
    /// now, so the host tier does not stay above its budget until the next load from disk.
    /// </summary>
    internal void LeftDevice(AdapterVersion version)
    {
        version.OnDevice = false;
        TrimHostTier();
    }

    /// <summary>
    /// The engine copied a version into host memory of its own (its device form when the device is the CPU: a LoRA
    /// slot, the method's own tensors or both): the parsed copy would be a second one of the same weights. Dropped now; should the version leave the device and be
    /// needed again, it is read from disk as after any eviction. Freed on a pool thread: trimming the heap is not
    /// the engine's work.
    /// </summary>
    internal static void DropHostCopy(AdapterVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        if (version.TakeHost() is not { } host) return;
        _ = Task.Run(() =>
        {
            host.Dispose();
            NativeHeap.Trim();
        });
    }

    /// <summary>Loads what the manifest lists (server start), after removing from the store what it does not list.
    /// Failures are returned, not thrown, so one bad adapter does not keep the server down. Writes nothing to the
    /// manifest: replicas sharing the store may be changing it.</summary>
    public async Task<IReadOnlyList<(string Id, Exception Error)>> RestoreAsync(CancellationToken cancellationToken = default)
    {
        // One read under the lock both cleans up and reports a corrupt manifest (which it moves aside: a second
        // read would find none and say nothing).
        var cleanup = _store.RemoveUnlisted();
        RemovedAtRestore = cleanup.Removed;
        var failures = new List<(string, Exception)>();
        if (cleanup.ManifestProblem is { } problem) failures.Add((AdapterManifest.FileName, new IOException(problem)));
        failures.AddRange((await SyncAsync(cancellationToken)).Failures);
        return failures;
    }

    /// <summary>What the last <see cref="RestoreAsync"/> removed from the store because no registration named it.</summary>
    public IReadOnlyList<string> RemovedAtRestore { get; private set; } = [];

    internal void Release(AdapterVersion version)
    {
        version.RemoveRequest();
        if (version.RequestsInFlight > 0) return;
        lock (_gate)
        {
            if (!version.IsRetired || !_retired.Remove(version)) return;
        }
        version.TakeHost()?.Dispose();
        // Leases end on the engine thread, which must not wait for the store's lock.
        if (_store.IsStoredVersion(version.Directory) && !IsReferenced(version.Directory))
            _ = Task.Run(() => TryDeleteStored(version.Directory));
    }

    /// <summary>A version retired with no request on it is never used again (retired versions cannot be acquired):
    /// its uploaded files go now. One retired with requests on it goes at its last <see cref="Release"/>.</summary>
    private void DeleteIfUnusedUpload(AdapterVersion version)
    {
        bool unused;
        lock (_gate) unused = version.RequestsInFlight == 0 && !_retired.Contains(version);
        if (unused && _store.IsStoredVersion(version.Directory) && !IsReferenced(version.Directory))
            TryDeleteStored(version.Directory);
    }

    /// <summary>Best effort: the change that retired the version is done; a folder left behind (the store busy,
    /// an I/O error) is removed at the next start as unlisted.</summary>
    private void TryDeleteStored(string directory)
    {
        try
        {
            _store.DeleteStoredVersion(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
        }
    }

    private bool IsReferenced(string directory)
    {
        lock (_gate) return _current.Values.Concat(_retired).Any(v => v.Directory == directory);
    }

    private void RetireLocked(AdapterVersion version)
    {
        version.Retire();
        if (version.RequestsInFlight > 0) _retired.Add(version);
        else version.TakeHost()?.Dispose();
    }

    private void ThrowIfListed(string id)
    {
        if (IsListed(id)) throw new AdapterExistsException(id);
    }

    private (HostAdapter Host, string Hash) ReadValidated(string id, string directory, string? expectedHash)
    {
        string hash = AdapterFiles.Open(id, directory).ContentHash();
        if (expectedHash is not null && hash != expectedHash)
            throw new AdapterLoadException($"adapter '{id}': the files in {directory} changed since registration (content hash {hash[..12]}, registered {expectedHash[..12]}); register it again");
        return (AdapterReader.Read(id, directory, _baseModel), hash);
    }

    /// <summary>Drops least recently used host copies of adapters no request holds until under budget.</summary>
    private void TrimHostTier()
    {
        List<AdapterVersion> loaded;
        lock (_gate) loaded = _current.Values.Where(v => v.HostIfLoaded is not null).ToList();
        long total = loaded.Sum(v => v.Facts.SizeBytes);
        bool dropped = false;
        foreach (var version in loaded.Where(v => v.RequestsInFlight == 0 && !v.OnDevice).OrderBy(v => v.LastUsed))
        {
            if (total <= _options.HostBudgetBytes) break;
            version.TakeHost()?.Dispose();
            total -= version.Facts.SizeBytes;
            dropped = true;
        }
        if (dropped) NativeHeap.Trim();
    }

    private static ManifestEntry Entry(AdapterVersion v) => new(v.Id, v.Directory, v.ContentHash, v.Facts.PeftType, v.RegisteredAt);

    /// <summary>Changes the manifest (under the store's lock) before the change is made in memory.</summary>
    /// <exception cref="StorageFullException">The store's disk is full; nothing changed.</exception>
    private void Change(Func<IReadOnlyList<ManifestEntry>, IReadOnlyList<ManifestEntry>?> change, string notDone)
    {
        try
        {
            _store.ChangeManifest(change);
        }
        catch (IOException e) when (DiskFull.Is(e))
        {
            throw new StorageFullException($"{notDone}: the adapter store's disk is full; nothing changed, retry once space is freed", e);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var v in _current.Values.Concat(_retired)) v.TakeHost()?.Dispose();
            _current.Clear();
            _retired.Clear();
        }
    }
}
