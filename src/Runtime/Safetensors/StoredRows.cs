using Microsoft.Win32.SafeHandles;
using TorchSharp;

namespace Peft.Runtime.Safetensors;

/// <summary>
/// One matrix of a safetensors file left where it is and read a row at a time: nothing of it is held in process
/// memory. A token embedding is read one row per token, so serving it this way costs the page cache's copy of the rows
/// in use instead of a resident copy of the whole table (125 MiB for a 32k x 1024 float32 vocabulary).
/// </summary>
/// <remarks>
/// The handle is the validated file itself, reopened through <c>/proc/self/fd</c>: a file replaced by rename after the
/// header was read is never mixed in. Positional reads, so concurrent readers are safe. A file truncated in place while
/// served ends a read short, which throws <see cref="SafetensorsFormatException"/> (the caller's step fails); a memory
/// map would have taken SIGBUS and ended the process, which is why this reads instead of mapping.
/// </remarks>
internal sealed class StoredRows : IDisposable
{
    private readonly SafeFileHandle _file;
    private readonly long _firstByte;   // of row 0, from the start of the file

    private StoredRows(SafeFileHandle file, string path, TensorInfo info, torch.ScalarType dtype, long firstByte)
    {
        _file = file;
        _firstByte = firstByte;
        Path = path;
        Name = info.Name;
        Rows = info.Shape[0];
        Columns = info.Shape[1];
        Dtype = dtype;
        RowBytes = info.ByteLength / Rows;
    }

    public string Path { get; }

    public string Name { get; }

    public long Rows { get; }

    public long Columns { get; }

    public torch.ScalarType Dtype { get; }

    public long RowBytes { get; }

    /// <summary>The rows of <paramref name="info"/> (2-D, non-empty, a dtype torch has, little-endian host) in the file
    /// <paramref name="opened"/> holds open; null where that cannot be had (not Linux, no /proc, or a dtype or shape this
    /// does not read), so the caller loads the matrix instead.</summary>
    public static StoredRows? Open(SafeFileHandle opened, string path, TensorInfo info, long dataStart)
    {
        if (!OperatingSystem.IsLinux() || !BitConverter.IsLittleEndian) return null;
        if (info.Shape.Length != 2 || info.ElementCount == 0 || info.Dtype.ToScalarType() is not { } dtype) return null;
        try
        {
            var file = File.OpenHandle($"/proc/self/fd/{opened.DangerousGetHandle()}", FileMode.Open, FileAccess.Read,
                FileShare.Read, FileOptions.RandomAccess);
            return new StoredRows(file, path, info, dtype, dataStart + info.Begin);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;   // no /proc (a sandbox without it): the table is loaded like any other weight
        }
    }

    /// <summary>Rows <c>[first, first + destination.Length / RowBytes)</c> into <paramref name="destination"/>.</summary>
    public void Read(long first, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_file.IsClosed, this);
        long count = destination.Length / RowBytes;
        if (destination.Length % RowBytes != 0 || first < 0 || first + count > Rows)
            throw new ArgumentOutOfRangeException(nameof(first), $"rows [{first}, {first + count}) of '{Name}', which has {Rows}");
        long at = _firstByte + first * RowBytes;
        if (FileReads.ReadAt(_file, destination, at) != destination.Length)
            throw new SafetensorsFormatException(Path, Name,
                $"could not be read: the file ended before byte {at + destination.Length}; it was truncated while served");
    }

    public void Dispose() => _file.Dispose();
}
