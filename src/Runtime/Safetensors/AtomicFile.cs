namespace Peft.Runtime.Safetensors;

/// <summary>
/// Replaces a file all at once: writes a temporary file in the same directory (same file system, so the rename is
/// atomic), flushes it to disk, then renames it over the target. Readers see the old file or the new one, never a
/// partial one; a failure at any point leaves the old file untouched and removes the temporary one.
/// </summary>
internal static class AtomicFile
{
    public static void Write(string path, Action<FileStream> write)
    {
        string target = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(target)
            ?? throw new ArgumentException($"'{path}' names no file", nameof(path));
        // Hidden and unmistakable, so a crash that leaves it behind confuses nobody (checkpoint discovery ignores it).
        string temporary = Path.Combine(directory, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");

        bool renamed = false;
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 20))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, target, overwrite: true);
            renamed = true;
        }
        finally
        {
            if (!renamed)
                TryDelete(temporary);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the original failure is the one worth reporting.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
