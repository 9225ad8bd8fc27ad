namespace Peft.Runtime.Adapters.Registry;

/// <summary>
/// One registered version of an adapter: immutable facts from registration, plus the mutable residency the
/// registry and engine track. A version is never mutated into another: replace registers a new version and
/// retires this one, which lives on until the last request holding a lease on it finishes.
/// Thread-safe.
/// </summary>
public sealed class AdapterVersion
{
    private readonly Lock _gate = new();
    private HostAdapter? _host;
    private Task<HostAdapter>? _loading;
    private int _inFlight;
    private long _lastUsedTicks;

    internal AdapterVersion(string id, string directory, string contentHash, AdapterFacts facts, DateTimeOffset registeredAt)
    {
        Id = id;
        Directory = directory;
        ContentHash = contentHash;
        Facts = facts;
        RegisteredAt = registeredAt;
        _lastUsedTicks = registeredAt.UtcTicks;
    }

    public string Id { get; }
    public string Directory { get; }
    /// <summary>sha256 of config and weights: the version's identity.</summary>
    public string ContentHash { get; }
    public AdapterFacts Facts { get; }
    public DateTimeOffset RegisteredAt { get; }

    /// <summary>Replaced or unregistered: no new request gets it.</summary>
    public bool IsRetired { get; private set; }

    public int RequestsInFlight => Volatile.Read(ref _inFlight);

    public DateTimeOffset LastUsed => new(Interlocked.Read(ref _lastUsedTicks), TimeSpan.Zero);

    /// <summary>Set by the engine thread when the version occupies device memory.</summary>
    public bool OnDevice { get; internal set; }

    public AdapterTier Tier => OnDevice ? AdapterTier.Device : HostIfLoaded is not null ? AdapterTier.Host : AdapterTier.Disk;

    public HostAdapter? HostIfLoaded
    {
        get
        {
            lock (_gate) return _host;
        }
    }

    internal void AddRequest(DateTimeOffset now)
    {
        Interlocked.Increment(ref _inFlight);
        Interlocked.Exchange(ref _lastUsedTicks, now.UtcTicks);
    }

    internal void RemoveRequest() => Interlocked.Decrement(ref _inFlight);

    internal void Retire()
    {
        lock (_gate) IsRetired = true;
    }

    /// <summary>The parsed adapter, loading it on a pool thread the first time (callers poll or await).</summary>
    internal Task<HostAdapter> EnsureHost(Func<HostAdapter> load)
    {
        lock (_gate)
        {
            if (_host is not null) return Task.FromResult(_host);
            if (_loading is { IsFaulted: false, IsCanceled: false }) return _loading;
            _loading = Task.Run(() =>
            {
                var host = load();
                lock (_gate)
                {
                    _host = host;
                    _loading = null;
                }
                return host;
            });
            return _loading;
        }
    }

    internal void SetHost(HostAdapter host)
    {
        lock (_gate) _host = host;
    }

    /// <summary>Drops the host copy (eviction or retirement); the caller has checked nobody needs it.</summary>
    internal HostAdapter? TakeHost()
    {
        lock (_gate)
        {
            var host = _host;
            _host = null;
            return host;
        }
    }

    public override string ToString() => $"{Id}@{ContentHash[..12]}";
}

/// <summary>What registration learned about an adapter, kept when its tensors are evicted.</summary>
/// <param name="SlotRank">Rank of the part held in a LoRA slot (0: none); the engine refuses what its pool cannot hold.</param>
/// <param name="Tasks">Multitask prompt tuning: tasks to choose from; 0 elsewhere.</param>
public sealed record AdapterFacts(string PeftType, int Rank, IReadOnlyList<string> TargetModules, int VirtualTokens, long SizeBytes, int SlotRank = 0, int Tasks = 0)
{
    public static AdapterFacts Of(HostAdapter adapter)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        return new(adapter.PeftType, adapter.Rank, adapter.TargetModules, adapter.VirtualTokens, adapter.SizeBytes, adapter.SlotRank, adapter.Tasks);
    }
}
