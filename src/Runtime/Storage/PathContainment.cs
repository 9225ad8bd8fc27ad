namespace Peft.Runtime.Storage;

/// <summary>Lexical "is this path at or below that directory" on normalised absolute paths. Ordinal, because Linux
/// paths are case-sensitive; component-wise, so /data/adapters-old is not under /data/adapters.</summary>
internal static class PathContainment
{
    /// <summary>Absolute, with "." segments, doubled and trailing separators removed. Callers reject ".." first, so
    /// this never moves a path up a directory.</summary>
    public static string Normalise(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));

    public static bool IsAtOrUnder(string path, string directory) =>
        path == directory
        || path.StartsWith(directory.EndsWith('/') ? directory : directory + "/", StringComparison.Ordinal);

    public static bool IsUnder(string path, string directory) => path != directory && IsAtOrUnder(path, directory);
}
