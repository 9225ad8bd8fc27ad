namespace Peft.Runtime.Adapters.Registry;

/// <summary>
/// A request's hold on one adapter version: while any lease is open the version's weights stay usable, even if the
/// adapter is replaced or unloaded meanwhile. Dispose exactly once, when the request ends.
/// </summary>
public sealed class AdapterLease : IDisposable
{
    private readonly AdapterRegistry _registry;
    private int _disposed;

    internal AdapterLease(AdapterRegistry registry, AdapterVersion version)
    {
        _registry = registry;
        Version = version;
    }

    public AdapterVersion Version { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _registry.Release(Version);
    }
}
