namespace Peft.Runtime.Safetensors;

/// <summary>
/// A safetensors file or checkpoint directory that cannot be loaded as it is: corrupt, truncated, inconsistent, or not
/// safetensors at all. The message starts with the file (or directory) and names the tensor and what was expected
/// versus found, so it can be shown to whoever supplied the file.
/// </summary>
public sealed class SafetensorsFormatException : Exception
{
    public SafetensorsFormatException()
    {
    }

    public SafetensorsFormatException(string message)
        : base(message)
    {
    }

    public SafetensorsFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal SafetensorsFormatException(string path, string? tensorName, string problem, Exception? innerException = null)
        : base(Compose(path, tensorName, problem), innerException)
    {
        FilePath = path;
        TensorName = tensorName;
    }

    /// <summary>The file or directory at fault, as it was given to the loader.</summary>
    public string? FilePath { get; }

    /// <summary>The tensor at fault, when there is one.</summary>
    public string? TensorName { get; }

    private static string Compose(string path, string? tensorName, string problem)
        => tensorName is null ? $"{path}: {problem}" : $"{path}: tensor '{tensorName}' {problem}";
}
