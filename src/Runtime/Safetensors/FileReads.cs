using Microsoft.Win32.SafeHandles;

namespace Peft.Runtime.Safetensors;

/// <summary>Positional reads that fill the whole destination or say how far they got.</summary>
internal static class FileReads
{
    /// <summary>
    /// Reads <c>destination.Length</c> bytes at <paramref name="fileOffset"/> (pread: no shared file position, so
    /// concurrent loads from one handle are safe). Returns the bytes read, less than asked only at end of file.
    /// </summary>
    public static long ReadAt(SafeFileHandle file, Span<byte> destination, long fileOffset)
    {
        long total = 0;
        while (!destination.IsEmpty)
        {
            int read = RandomAccess.Read(file, destination, fileOffset + total);
            if (read == 0)
                break;
            destination = destination[read..];
            total += read;
        }
        return total;
    }
}
