using Peft.Runtime.Storage;

namespace Peft.Runtime.Adapters.Storage;

/// <summary>
/// Where adapters may come from and where uploads go. Validated at construction, so a bad configuration fails at
/// start rather than at the first load: roots must exist and are made absolute; the store directory is created.
/// </summary>
public sealed record AdapterStoreOptions
{
    /// <summary>1 GiB: a rank-64 LoRA on every linear of an 8B model is about 0.7 GB in fp16.</summary>
    public const long DefaultMaxUploadBytes = 1L << 30;

    /// <summary>1 MiB: PEFT configs are a few KB; the cap bounds what the server parses from a client.</summary>
    public const long DefaultMaxConfigBytes = 1L << 20;

    public AdapterStoreOptions(IReadOnlyList<string> roots, string storeDirectory,
        long maxUploadBytes = DefaultMaxUploadBytes, long maxConfigBytes = DefaultMaxConfigBytes)
    {
        ArgumentNullException.ThrowIfNull(roots);
        ArgumentException.ThrowIfNullOrWhiteSpace(storeDirectory);
        if (maxUploadBytes <= 0)
            throw new ArgumentException($"MaxUploadBytes must be positive, not {maxUploadBytes}");
        if (maxConfigBytes <= 0 || maxConfigBytes > maxUploadBytes)
            throw new ArgumentException($"MaxConfigBytes must be positive and at most MaxUploadBytes ({maxUploadBytes}), not {maxConfigBytes}");

        Roots = [.. roots.Select(Root)];
        StoreDirectory = PathContainment.Normalise(storeDirectory);
        Directory.CreateDirectory(StoreDirectory);
        RefuseOverlap(StoreDirectory, Roots);
        MaxUploadBytes = maxUploadBytes;
        MaxConfigBytes = maxConfigBytes;
    }

    /// <summary>Absolute directories adapters may be loaded from, searched in this order for relative paths.</summary>
    public IReadOnlyList<string> Roots { get; }

    /// <summary>Owned by the server: uploads, their staging area and the manifest. Its adapters/ folder is
    /// implicitly a root.</summary>
    public string StoreDirectory { get; }

    /// <summary>Cap on one upload, both files together.</summary>
    public long MaxUploadBytes { get; }

    /// <summary>Cap on adapter_config.json within an upload.</summary>
    public long MaxConfigBytes { get; }

    /// <summary>How long a change waits for another server sharing the store to release its lock before failing
    /// with <see cref="AdapterStoreBusyException"/>. Default <see cref="AdapterStore.DefaultLockTimeout"/>.</summary>
    public TimeSpan LockTimeout { get; init; } = AdapterStore.DefaultLockTimeout;

    /// <summary>Called when a change finds the store's lock held and starts waiting (a test seam: it lets a test
    /// act at exactly that point).</summary>
    internal Action? LockBusy { get; init; }

    /// <summary>The seam in front of the store's writes (tests simulate a full disk through it).</summary>
    public FileWrites Writes { get; init; } = FileWrites.Direct;

    private static string Root(string root)
    {
        if (string.IsNullOrWhiteSpace(root))
            throw new ArgumentException("an adapter root is empty");
        string absolute = PathContainment.Normalise(root);
        return Directory.Exists(absolute) ? absolute : throw new ArgumentException($"adapter root {absolute} does not exist");
    }

    /// <summary>
    /// The store may not sit inside a root, nor a root inside the store: through such a root, clients could load
    /// half-written uploads from the staging area, and deleting an unloaded upload could reach a user's adapters.
    /// Compared by real path, so a link cannot hide the overlap.
    /// </summary>
    private static void RefuseOverlap(string store, IReadOnlyList<string> roots)
    {
        string realStore = Posix.RealPath(store, out int errno)
            ?? throw new ArgumentException($"adapter store directory {store} cannot be resolved: {Posix.Describe(errno)}");
        foreach (string root in roots)
        {
            string realRoot = Posix.RealPath(root, out errno)
                ?? throw new ArgumentException($"adapter root {root} cannot be resolved: {Posix.Describe(errno)}");
            if (PathContainment.IsAtOrUnder(realStore, realRoot) || PathContainment.IsAtOrUnder(realRoot, realStore))
                throw new ArgumentException($"adapter store directory {store} and adapter root {root} overlap; keep them apart");
        }
    }
}
