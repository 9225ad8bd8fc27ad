namespace Peft.Runtime.Storage;

/// <summary>The kernel's canonical path of a file or directory (every symbolic link resolved).</summary>
public static class RealPath
{
    /// <summary>Null when <paramref name="path"/> cannot be resolved (missing, no permission).</summary>
    public static string? Of(string path) => Posix.RealPath(path, out _);
}
