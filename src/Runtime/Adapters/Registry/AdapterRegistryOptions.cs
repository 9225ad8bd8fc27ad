namespace Peft.Runtime.Adapters.Registry;

/// <summary>Limits of the registry's host tier.</summary>
public sealed record AdapterRegistryOptions
{
    /// <summary>Host memory for parsed adapters not in use; least recently used ones are dropped past it
    /// (they stay registered and reload from disk on demand). Default 2 GiB.</summary>
    public long HostBudgetBytes { get; init; } = 2L << 30;
}
