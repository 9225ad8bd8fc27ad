namespace Peft.Runtime.Adapters.Storage;

/// <summary>Another server sharing the adapter store held its lock for longer than the lock timeout; the change was
/// not made. Retrying is safe.</summary>
public sealed class AdapterStoreBusyException(string message, Exception inner) : IOException(message, inner);
