using System.Diagnostics.CodeAnalysis;
using Microsoft.Win32.SafeHandles;
using TorchSharp;

namespace Peft.Runtime.Safetensors;

/// <summary>
/// One open safetensors file. <see cref="Open"/> reads and validates the whole header before anything else, so a
/// corrupt or truncated file fails there with a <see cref="SafetensorsFormatException"/>; afterwards each
/// <see cref="Load"/> reads only that tensor's bytes, straight from the file into the new tensor's native storage.
/// </summary>
/// <remarks>
/// Loads use positional reads on one handle and may run concurrently (e.g. on loader threads); <see cref="Dispose"/>
/// must not race them. The handle stays open, with the file shared for reading only, until disposed.
/// </remarks>
public sealed class SafetensorsFile : ITensorSource, IDisposable
{
    private readonly SafeFileHandle _file;
    private readonly SafetensorsHeader _header;

    private SafetensorsFile(string path, SafeFileHandle file, SafetensorsHeader header)
    {
        Path = path;
        _file = file;
        _header = header;
    }

    /// <summary>The path as given to <see cref="Open"/>; messages name the file by it.</summary>
    public string Path { get; }

    public IReadOnlyDictionary<string, string> Metadata => _header.Metadata;

    public IReadOnlyList<string> Names => _header.Names;

    /// <summary>Size of the data region (the file minus prefix and header).</summary>
    public long DataLength => _header.DataLength;

    public static SafetensorsFile Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        try
        {
            return new SafetensorsFile(path, file, SafetensorsHeader.Read(file, path));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public bool TryGetInfo(string name, [MaybeNullWhen(false)] out TensorInfo info)
        => _header.Tensors.TryGetValue(name, out info);

    /// <inheritdoc/>
    public torch.Tensor Load(string name, torch.ScalarType? dtype = null, torch.Device? device = null)
    {
        ObjectDisposedException.ThrowIf(_file.IsClosed, this);
        if (!TryGetInfo(name, out var info))
            throw new KeyNotFoundException($"{Path}: no tensor named '{name}' among its {_header.Tensors.Count} tensors");
        var stored = info.Dtype.ToScalarType() ?? throw new NotSupportedException(
            $"{Path}: tensor '{name}' is {info.Dtype}, which TorchSharp has no type for; convert the file to a supported dtype");
        // The format is little-endian; so is every host libtorch runs on today. Say so rather than load garbage.
        if (!BitConverter.IsLittleEndian && info.Dtype.ElementSize() > 1)
            throw new PlatformNotSupportedException("safetensors data is little-endian and this host is not");

        // Everything made here dies with this scope except the result, which moves to the caller's scope (or, with
        // none open, to the caller). That is exactly how torch factory functions behave.
        using var scope = torch.NewDisposeScope();
        var raw = torch.empty([.. info.Shape], stored, torch.CPU);
        long fileOffset = _header.DataStart + info.Begin;
        TensorStorage.ForEachChunk(raw, (chunk, byteOffset) =>
        {
            if (FileReads.ReadAt(_file, chunk, fileOffset + byteOffset) != chunk.Length)
                throw new SafetensorsFormatException(Path, name,
                    $"could not be read: the file ended before byte {fileOffset + byteOffset + chunk.Length}; it was truncated after it was opened");
        });
        if (info.Dtype == SafetensorsDtype.BOOL)
            CheckBooleans(raw, info);

        return Convert(raw, stored, dtype, device).MoveToOuterDisposeScope();
    }

    /// <summary>The 2-D tensor <paramref name="name"/> left in this file and read by rows (<see cref="StoredRows"/>), with its
    /// own handle, so it outlives this object; null where rows cannot be read in place (the caller loads it).</summary>
    internal StoredRows? OpenRows(string name)
    {
        ObjectDisposedException.ThrowIf(_file.IsClosed, this);
        if (!TryGetInfo(name, out var info))
            throw new KeyNotFoundException($"{Path}: no tensor named '{name}' among its {_header.Tensors.Count} tensors");
        return StoredRows.Open(_file, Path, info, _header.DataStart);
    }

    public void Dispose() => _file.Dispose();

    public override string ToString() => $"{Path} ({_header.Tensors.Count} tensors, {_header.DataLength} data bytes)";

    private static torch.Tensor Convert(torch.Tensor raw, torch.ScalarType stored, torch.ScalarType? dtype, torch.Device? device)
    {
        var targetType = dtype ?? stored;
        var targetDevice = device ?? torch.CPU;
        bool sameDevice = targetDevice.type == DeviceType.CPU;
        // F16/BF16 -> F32 is exact in torch (every value is representable), so a plain cast is the faithful load.
        return targetType == stored && sameDevice ? raw : raw.to(targetType, targetDevice);
    }

    /// <summary>torch assumes bool bytes are 0 or 1; any other byte makes comparisons and sums undefined.</summary>
    private void CheckBooleans(torch.Tensor raw, TensorInfo info)
    {
        long index = 0;
        TensorStorage.ForEachChunk(raw, (chunk, _) =>
        {
            int bad = chunk.IndexOfAnyExcept((byte)0, (byte)1);
            if (bad >= 0)
                throw new SafetensorsFormatException(Path, info.Name,
                    $"is BOOL but element {index + bad} is the byte {chunk[bad]}; BOOL bytes must be 0 or 1");
            index += chunk.Length;
        });
    }
}
