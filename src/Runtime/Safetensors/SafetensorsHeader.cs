using System.Buffers.Binary;
using System.Collections.Frozen;
using Microsoft.Win32.SafeHandles;

namespace Peft.Runtime.Safetensors;

/// <summary>
/// The parsed, fully validated header of one file: every entry well-formed and the entries tiling the data region
/// exactly. Nothing of a file is trusted before this has been built.
/// </summary>
internal sealed class SafetensorsHeader
{
    /// <summary>The 8-byte little-endian header length that starts every file.</summary>
    public const int PrefixBytes = 8;

    /// <summary>The reference implementation's limit; a larger prefix is garbage, not a header.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private SafetensorsHeader(
        FrozenDictionary<string, string> metadata, FrozenDictionary<string, TensorInfo> tensors, long dataStart, long dataLength)
    {
        Metadata = metadata;
        Tensors = tensors;
        Names = [.. tensors.Keys.Order(StringComparer.Ordinal)];
        DataStart = dataStart;
        DataLength = dataLength;
    }

    public FrozenDictionary<string, string> Metadata { get; }

    public FrozenDictionary<string, TensorInfo> Tensors { get; }

    /// <summary>Tensor names in ordinal order: independent of both the header's entry order and the data layout.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>File offset of data byte 0.</summary>
    public long DataStart { get; }

    public long DataLength { get; }

    public static SafetensorsHeader Read(SafeFileHandle file, string path)
    {
        long fileLength = RandomAccess.GetLength(file);
        if (fileLength < PrefixBytes)
            throw new SafetensorsFormatException(path, null,
                $"is {fileLength} bytes long, too short for the {PrefixBytes}-byte header length that starts a safetensors file");

        Span<byte> prefix = stackalloc byte[PrefixBytes];
        if (FileReads.ReadAt(file, prefix, 0) != PrefixBytes)
            throw new SafetensorsFormatException(path, null, "ended while its header length was being read");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);

        if (headerLength > MaxHeaderBytes)
            throw new SafetensorsFormatException(path, null,
                $"header length says {headerLength} bytes, more than the {MaxHeaderBytes}-byte limit: not a safetensors file, or corrupt");
        if ((long)headerLength > fileLength - PrefixBytes)
            throw new SafetensorsFormatException(path, null,
                $"header length says {headerLength} bytes, but the file has only {fileLength - PrefixBytes} bytes after the length: truncated, or not a safetensors file");

        var json = new byte[headerLength];
        if (FileReads.ReadAt(file, json, PrefixBytes) != json.Length)
            throw new SafetensorsFormatException(path, null, "ended while its header was being read");

        var (metadata, tensors) = HeaderParser.Parse(path, json);
        long dataStart = PrefixBytes + (long)headerLength;
        long dataLength = fileLength - dataStart;
        DataLayout.Validate(path, tensors, dataLength);
        return new SafetensorsHeader(
            metadata, tensors.ToFrozenDictionary(t => t.Name, StringComparer.Ordinal), dataStart, dataLength);
    }
}
