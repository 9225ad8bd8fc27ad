namespace Peft.Runtime.Adapters.Registry;

/// <summary>No adapter is registered under the id (gRPC NOT_FOUND).</summary>
public sealed class AdapterNotFoundException(string adapterId)
    : Exception($"adapter '{adapterId}' is not registered")
{
    public string AdapterId { get; } = adapterId;
}

/// <summary>An adapter is already registered under the id and replace was not asked for (gRPC ALREADY_EXISTS).</summary>
public sealed class AdapterExistsException(string adapterId)
    : Exception($"adapter '{adapterId}' is already registered; pass replace to swap it atomically")
{
    public string AdapterId { get; } = adapterId;
}
