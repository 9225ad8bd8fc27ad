namespace Peft.Runtime.Adapters.Storage;

/// <summary>A client-supplied adapter path that may not be loaded. The message names the requested path and the
/// configured roots, never where a link led nor anything read from a file.</summary>
public sealed class AdapterPathException : Exception
{
    public AdapterPathException(AdapterPathReason reason, string requestedPath, string message) : base(message)
    {
        Reason = reason;
        RequestedPath = requestedPath;
    }

    public AdapterPathReason Reason { get; }

    public string RequestedPath { get; }
}
