namespace Peft.Runtime.Models.Config;

/// <summary>A model directory that cannot be served as it is; the message names the file and the field or tensor.</summary>
public sealed class ModelLoadException : Exception
{
    public ModelLoadException(string message) : base(message) { }

    public ModelLoadException(string message, Exception inner) : base(message, inner) { }
}
