namespace Peft.Runtime.Storage;

/// <summary>
/// Replaces a file so that, even across a crash or power cut, it holds the old content or the new, never a mix:
/// write a temporary file in the same directory, fsync it, rename it over the target, fsync the directory (without
/// that last step the rename itself may not survive a power cut).
/// </summary>
internal static class DurableFile
{
    /// <summary>Temporary files are hidden and named after their target, so leftovers from a crash are recognisable.</summary>
    public static string TemporaryPattern(string fileName) => $".{fileName}.*.tmp";

    public static void Replace(string path, ReadOnlySpan<byte> content, FileWrites? writes = null)
    {
        (writes ?? FileWrites.Direct).BeforeWrite(path);
        string directory = Path.GetDirectoryName(path) ?? throw new ArgumentException($"'{path}' names no file", nameof(path));
        string temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        bool renamed = false;
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
            renamed = true;
            Posix.FlushDirectory(directory);
        }
        finally
        {
            if (!renamed)
                TryDelete(temporary);
        }
    }

    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the failure being reported is the one that matters.
        }
    }
}
