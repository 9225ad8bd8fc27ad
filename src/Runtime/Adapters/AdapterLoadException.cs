namespace Peft.Runtime.Adapters;

/// <summary>An adapter that cannot be served as it is. The message names the adapter, the file or tensor, and
/// what was expected and found.</summary>
public sealed class AdapterLoadException : Exception
{
    public AdapterLoadException(string message) : base(message) { }

    public AdapterLoadException(string message, Exception inner) : base(message, inner) { }
}
