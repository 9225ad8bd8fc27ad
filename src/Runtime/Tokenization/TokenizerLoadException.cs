namespace Peft.Runtime.Tokenization;

/// <summary>
/// A model directory's tokenizer files are missing, malformed, or use something this loader does not implement.
/// The message names the file and, where there is one, the JSON field or protobuf field at fault.
/// </summary>
public sealed class TokenizerLoadException : Exception
{
    public TokenizerLoadException()
    {
    }

    public TokenizerLoadException(string message)
        : base(message)
    {
    }

    public TokenizerLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
