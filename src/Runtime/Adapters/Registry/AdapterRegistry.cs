using Peft.Runtime.Adapters.Storage;
using Peft.Runtime.Storage;

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

    /// <summary>Registers a directory the server itself wrote (an upload or a training output).</summary>
    public async Task<AdapterVersion> RegisterResolvedAsync(string id, string directory, bool replace, CancellationToken cancellationToken = default)
    {
        AdapterId.Validate(id);
        if (!replace) ThrowIfExists(id);
        var (host, hash) = await Task.Run(() => ReadValidated(id, directory, expectedHash: null), cancellationToken);
        var version = new AdapterVersion(id, directory, hash, AdapterFacts.Of(host), _time.GetUtcNow());
        version.SetHost(host);
        AdapterVersion? previous;
        lock (_changes)
        {
            lock (_gate)
            {
                _current.TryGetValue(id, out previous);
                if (previous is not null && !replace)
                {
                    host.Dispose();
                    throw new AdapterExistsException(id);
                }
            }
            try
            {
                Persist(Entries(except: id).Append(Entry(version)), $"adapter '{id}' was not registered");
            }
            catch
            {
                host.Dispose();
                throw;
            }
            lock (_gate)
            {
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
    /// <returns>The number of requests still running on the unloaded version.</returns>
    public int Unregister(string id)
    {
        AdapterVersion version;
        lock (_changes)
        {
            lock (_gate)
                if (!_current.ContainsKey(id)) throw new AdapterNotFoundException(id);
            // Durable first: an unload that cannot be recorded (a full disk) changes nothing, and says so.
            Persist(Entries(except: id), $"adapter '{id}' was not unloaded");
            lock (_gate)
            {
                _current.Remove(id, out version!);
                RetireLocked(version);
            }
        }
        Retired?.Invoke(version);
        int inFlight = version.RequestsInFlight;
        DeleteIfUnusedUpload(version);
        return inFlight;
    }

    /// <summary>A lease on the current version of <paramref name="id"/> for one request.</summary>
    /// <remarks>An id this registry does not know is looked up once in the store's manifest first: another replica
    /// sharing the store may have registered it (see <see cref="SyncAsync"/>).</remarks>
    public AdapterLease Acquire(string id)
    {
        if (TryAcquire(id) is { } lease) return lease;
        AdoptFromStore(id);
        return TryAcquire(id) ?? throw new AdapterNotFoundException(id);
    }

    private AdapterLease? TryAcquire(string id)
    {
        lock (_gate)
        {
            if (!_current.TryGetValue(id, out var version)) return null;
            version.AddRequest(_time.GetUtcNow());
            return new AdapterLease(this, version);
        }
    }

    public AdapterVersion Get(string id)
    {
        lock (_gate) return _current.TryGetValue(id, out var v) ? v : throw new AdapterNotFoundException(id);
    }

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

    /// <summary>Re-registers what the manifest lists (server start). Failures are returned, not thrown, so one bad
    /// adapter does not keep the server down.</summary>
    public async Task<IReadOnlyList<(string Id, Exception Error)>> RestoreAsync(CancellationToken cancellationToken = default)
    {
        var failures = new List<(string, Exception)>();
        var entries = _store.LoadManifest().Entries;
        RemovedAtRestore = _store.RemoveUnlisted(entries.Select(e => e.Path));
        foreach (var entry in entries)
        {
            try
            {
                await RegisterResolvedAsync(entry.Id, entry.Path, replace: true, cancellationToken);
            }
            catch (Exception e) when (e is AdapterLoadException or IOException or UnauthorizedAccessException or ArgumentException)
            {
                failures.Add((entry.Id, e));
            }
        }
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
        if (_store.IsStoredVersion(version.Directory) && !IsReferenced(version.Directory))
            _store.DeleteStoredVersion(version.Directory);
    }

    /// <summary>A version retired with no request on it is never used again (retired versions cannot be acquired):
    /// its uploaded files go now. One retired with requests on it goes at its last <see cref="Release"/>.</summary>
    private void DeleteIfUnusedUpload(AdapterVersion version)
    {
        bool unused;
        lock (_gate) unused = version.RequestsInFlight == 0 && !_retired.Contains(version);
        if (unused && _store.IsStoredVersion(version.Directory) && !IsReferenced(version.Directory))
            _store.DeleteStoredVersion(version.Directory);
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

    private void ThrowIfExists(string id)
    {
        lock (_gate)
            if (_current.ContainsKey(id)) throw new AdapterExistsException(id);
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
        foreach (var version in loaded.Where(v => v.RequestsInFlight == 0 && !v.OnDevice).OrderBy(v => v.LastUsed))
        {
            if (total <= _options.HostBudgetBytes) break;
            version.TakeHost()?.Dispose();
            total -= version.Facts.SizeBytes;
        }
    }

    private List<ManifestEntry> Entries(string except)
    {
        lock (_gate) return _current.Values.Where(v => v.Id != except).Select(Entry).ToList();
    }

    private static ManifestEntry Entry(AdapterVersion v) => new(v.Id, v.Directory, v.ContentHash, v.Facts.PeftType, v.RegisteredAt);

    /// <summary>Writes the manifest a change leads to, before the change is made in memory.</summary>
    /// <exception cref="StorageFullException">The store's disk is full; nothing changed.</exception>
    private void Persist(IEnumerable<ManifestEntry> entries, string notDone)
    {
        try
        {
            _store.SaveManifest(entries);
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
