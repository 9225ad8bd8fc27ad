namespace Peft.Runtime.Storage;

/// <summary>Recognises "no space left" among I/O failures, so it can be answered as exhausted storage (retry once
/// space is freed) instead of a server fault.</summary>
public static class DiskFull
{
    private const int ENOSPC = 28;
    private const int EDQUOT = 122;
    private const int ErrorDiskFull = unchecked((int)0x80070070);
    private const int ErrorHandleDiskFull = unchecked((int)0x80070027);

    /// <summary>True for ENOSPC and EDQUOT (.NET on Linux puts the errno in HResult), and their Windows forms.</summary>
    public static bool Is(Exception error) => error is IOException { HResult: ENOSPC or EDQUOT or ErrorDiskFull or ErrorHandleDiskFull };

    /// <summary>The exception a test's <see cref="FileWrites"/> throws: what .NET raises on a full disk.</summary>
    public static IOException Simulated(string path) => new($"No space left on device : '{path}'", ENOSPC);
}

/// <summary>
/// A change the server could not make durable because its disk is full. Nothing of the change is visible: the
/// caller can retry once space is freed. The message says what was not done; gRPC answers RESOURCE_EXHAUSTED.
/// </summary>
public sealed class StorageFullException(string message, Exception inner) : IOException(message, inner);
