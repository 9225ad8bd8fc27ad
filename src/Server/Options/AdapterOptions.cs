using Peft.Runtime.Adapters.Storage;

namespace Peft.Server.Options;

/// <summary>The <c>Adapters</c> section: where adapters may be loaded from and where uploads go.
/// Validated by <see cref="AdapterOptionsValidator"/>.</summary>
public sealed class AdapterOptions
{
    public const string Section = "Adapters";

    /// <summary>Directories LoadAdapter may read from (relative to the working directory or absolute; each must exist),
    /// searched in order for relative paths. Default: none, so only uploaded adapters can be loaded.
    /// Set as <c>--Adapters:Roots:0=/srv/adapters</c> or <c>PEFT_Adapters__Roots__0=/srv/adapters</c>.</summary>
    public List<string> Roots { get; set; } = [];

    /// <summary>The server's own directory: uploaded adapters, their staging area and the manifest of what is
    /// registered (restored at the next start). Created when missing. Default <c>var/adapter-store</c>.</summary>
    public string StoreDirectory { get; set; } = "var/adapter-store";

    /// <summary>Cap on one upload, both files together. Default 1 GiB.</summary>
    public long MaxUploadBytes { get; set; } = AdapterStoreOptions.DefaultMaxUploadBytes;

    /// <summary>Cap on an uploaded adapter_config.json. Default 1 MiB.</summary>
    public long MaxConfigBytes { get; set; } = AdapterStoreOptions.DefaultMaxConfigBytes;

    /// <summary>Host memory for parsed adapters that no request uses; least recently used ones are dropped past it
    /// and reloaded from disk on demand. Default 2 GiB.</summary>
    public long HostBudgetBytes { get; set; } = 2L << 30;

    /// <summary>How often the server brings its adapters to the store's manifest, for replicas that share one store
    /// (a change notice from the file system also triggers it where the file system sends one; NFS does not). An
    /// adapter registered, replaced or unloaded on another replica is served here within this interval, and a new
    /// id at once (a request for an unknown id reads the manifest first). Default 2 s; 0 turns the timer off.</summary>
    public TimeSpan StoreSyncInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long an adapter change waits for the store's lock while another replica sharing the store holds
    /// it; past it the change is refused with UNAVAILABLE and nothing changed. Default 30 s.</summary>
    public TimeSpan StoreLockTimeout { get; set; } = AdapterStore.DefaultLockTimeout;
}
