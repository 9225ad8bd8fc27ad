namespace Peft.Runtime.Adapters.Storage;

/// <summary>An upload the store refuses: a file name other than the two adapter files, a size limit reached, or
/// missing files at commit. The message names the adapter id and, for limits, the limit and the size reached.</summary>
public sealed class AdapterUploadException : Exception
{
    public AdapterUploadException(string message) : base(message) { }

    public AdapterUploadException(string message, Exception inner) : base(message, inner) { }
}
