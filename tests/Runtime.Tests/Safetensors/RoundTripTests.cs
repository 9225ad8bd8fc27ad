using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Peft.Runtime.Safetensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Safetensors;

public sealed class RoundTripTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<ScalarType, string> EveryDtype => new()
    {
        { ScalarType.Bool, "BOOL" },
        { ScalarType.Byte, "U8" },
        { ScalarType.Int8, "I8" },
        { ScalarType.Int16, "I16" },
        { ScalarType.Int32, "I32" },
        { ScalarType.Int64, "I64" },
        { ScalarType.Float16, "F16" },
        { ScalarType.BFloat16, "BF16" },
        { ScalarType.Float32, "F32" },
        { ScalarType.Float64, "F64" },
    };

    [Theory]
    [MemberData(nameof(EveryDtype))]
    public void Every_dtype_round_trips_bit_for_bit(ScalarType type, string headerName)
    {
        using var scope = NewDisposeScope();
        var original = empty([3, 5, 2], type);
        var bytes = new byte[original.numel() * original.element_size()];
        new Random(17).NextBytes(bytes);
        if (type == ScalarType.Bool)
            for (int i = 0; i < bytes.Length; i++)
                bytes[i] &= 1;
        original.bytes = bytes;
        string path = _dir.File("t.safetensors");

        SafetensorsWriter.Write(path, [new("w", original)]);

        using var file = SafetensorsFile.Open(path);
        Assert.True(file.TryGetInfo("w", out var info));
        Assert.Equal(headerName, info.Dtype.ToString());
        Assert.Equal(new long[] { 3, 5, 2 }, info.Shape.ToArray());
        var loaded = file.Load("w");
        Assert.Equal(type, loaded.dtype);
        Assert.Equal(new long[] { 3, 5, 2 }, loaded.shape);
        Assert.Equal(bytes, loaded.bytes.ToArray());
    }

    [Fact]
    public void Bf16_and_f16_are_stored_little_endian_with_their_exact_bit_patterns()
    {
        // 1, -2, 0.5, +inf, the smallest subnormal, a quiet NaN, the largest finite value.
        ushort[] bf16 = [0x3F80, 0xC000, 0x3F00, 0x7F80, 0x0001, 0x7FC0, 0x7F7F];
        // 1, -2, the smallest subnormal, +inf, -65504, a quiet NaN.
        ushort[] f16 = [0x3C00, 0xC000, 0x0001, 0x7C00, 0xFBFF, 0x7E00];
        using var scope = NewDisposeScope();
        var b = empty(bf16.Length, ScalarType.BFloat16);
        b.bytes = MemoryMarshal.AsBytes(bf16.AsSpan());
        var h = empty(f16.Length, ScalarType.Float16);
        h.bytes = MemoryMarshal.AsBytes(f16.AsSpan());
        string path = _dir.File("half.safetensors");

        SafetensorsWriter.Write(path, [new("h", h), new("b", b)]);

        // Reference layout: same element size, so by name: "b" then "h".
        byte[] fileBytes = File.ReadAllBytes(path);
        long dataStart = 8 + (long)BinaryPrimitives.ReadUInt64LittleEndian(fileBytes);
        Assert.Equal(RawSafetensors.UInt16s([.. bf16, .. f16]), fileBytes[(int)dataStart..]);
        using var file = SafetensorsFile.Open(path);
        Assert.Equal(bf16, MemoryMarshal.Cast<byte, ushort>(file.Load("b").bytes).ToArray());
        Assert.Equal(f16, MemoryMarshal.Cast<byte, ushort>(file.Load("h").bytes).ToArray());
    }

    [Fact]
    public void A_hand_written_bf16_file_loads_as_exact_f32()
    {
        ushort[] bits = [0x3F80, 0xC000, 0x3F00, 0x7F80, 0xFF80, 0x0001, 0x8001, 0x7FC0, 0x7F7F, 0x4049];
        string path = _dir.File("bf16.safetensors");
        RawSafetensors.Write(path,
            RawSafetensors.Header(RawSafetensors.Entry("x", "BF16", "[2,5]", 0, 20)),
            RawSafetensors.UInt16s(bits));

        using var file = SafetensorsFile.Open(path);
        using var x = file.Load("x", ScalarType.Float32);

        Assert.Equal(ScalarType.Float32, x.dtype);
        Assert.Equal(new long[] { 2, 5 }, x.shape);
        // BF16 is the top half of an F32: the exact conversion is a 16-bit shift, NaN payload included.
        uint[] expected = [.. bits.Select(v => (uint)v << 16)];
        Assert.Equal(expected, x.data<float>().ToArray().Select(BitConverter.SingleToUInt32Bits));
    }

    [Fact]
    public void A_hand_written_f16_file_loads_as_exact_f32()
    {
        ushort[] bits = [0x3C00, 0xC000, 0x0001, 0x8001, 0x03FF, 0x7C00, 0xFC00, 0xFBFF, 0x3555, 0x7E00];
        string path = _dir.File("f16.safetensors");
        RawSafetensors.Write(path,
            RawSafetensors.Header(RawSafetensors.Entry("x", "F16", "[10]", 0, 20)),
            RawSafetensors.UInt16s(bits));

        using var file = SafetensorsFile.Open(path);
        using var x = file.Load("x", ScalarType.Float32);

        // Every F16 value is exact in F32, so .NET's conversion is a reference for all but the NaN, whose payload
        // libtorch does not preserve (it gives 0x7FFFFFFF); we load through libtorch, so we match torch there too.
        float[] loaded = x.data<float>().ToArray();
        for (int i = 0; i < bits.Length - 1; i++)
            Assert.Equal(BitConverter.SingleToUInt32Bits((float)BitConverter.UInt16BitsToHalf(bits[i])), BitConverter.SingleToUInt32Bits(loaded[i]));
        Assert.True(float.IsNaN(loaded[^1]));
        Assert.Equal(5.9604645e-8f, x.data<float>()[2]); // 2^-24, the smallest F16 subnormal
    }

    [Fact]
    public void Header_entry_order_does_not_matter()
    {
        // Entries listed last-in-file first, metadata at the end: a reader must go by data_offsets alone.
        string path = _dir.File("reversed.safetensors");
        RawSafetensors.Write(path,
            "{" + RawSafetensors.Entry("z.second", "F32", "[2]", 8, 16) + ","
                + RawSafetensors.Entry("a.first", "F32", "[2]", 0, 8) + ",\"__metadata__\":{\"format\":\"pt\"}}",
            RawSafetensors.Floats(1, 2, 3, 4));

        using var file = SafetensorsFile.Open(path);

        Assert.Equal(["a.first", "z.second"], file.Names);
        Assert.Equal("pt", file.Metadata["format"]);
        using var first = file.Load("a.first");
        using var second = file.Load("z.second");
        Assert.Equal([1f, 2f], first.data<float>().ToArray());
        Assert.Equal([3f, 4f], second.data<float>().ToArray());
    }

    [Fact]
    public void Scalars_and_empty_tensors_round_trip()
    {
        using var scope = NewDisposeScope();
        string path = _dir.File("edge.safetensors");

        SafetensorsWriter.Write(path,
        [
            new("scalar", tensor(3.5f)),
            new("empty", zeros([0, 4], ScalarType.Float32)),
            new("after", tensor(new float[] { 7, 8 })),
        ]);

        using var file = SafetensorsFile.Open(path);
        Assert.True(file.TryGetInfo("scalar", out var scalarInfo));
        Assert.Empty(scalarInfo.Shape);
        Assert.Equal(3.5f, file.Load("scalar").item<float>());
        Assert.Equal(new long[] { 0, 4 }, file.Load("empty").shape);
        Assert.Equal([7f, 8f], file.Load("after").data<float>().ToArray());
    }

    [Fact]
    public void Load_converts_to_the_requested_dtype_and_device()
    {
        using var scope = NewDisposeScope();
        string path = _dir.File("convert.safetensors");
        SafetensorsWriter.Write(path, [new("w", tensor(new float[] { 1.5f, -2.25f, 3 }))]);
        var device = TestDevice.Spec.ToTorch();

        using var file = SafetensorsFile.Open(path);
        var asBf16 = file.Load("w", ScalarType.BFloat16, device);
        var asF64 = file.Load("w", ScalarType.Float64);

        Assert.Equal(ScalarType.BFloat16, asBf16.dtype);
        Assert.Equal(device.type, asBf16.device.type);
        Assert.Equal([1.5f, -2.25f, 3f], asBf16.cpu().to(ScalarType.Float32).data<float>().ToArray());
        Assert.Equal([1.5, -2.25, 3.0], asF64.data<double>().ToArray());
    }

    [Fact]
    public void Tensors_load_correctly_from_many_threads_at_once()
    {
        using var scope = NewDisposeScope();
        var tensors = Enumerable.Range(0, 32).Select(i => KeyValuePair.Create($"t{i}", arange(i * 100, i * 100 + 100, ScalarType.Float32))).ToList();
        string path = _dir.File("parallel.safetensors");
        SafetensorsWriter.Write(path, tensors);

        using var file = SafetensorsFile.Open(path);
        Parallel.For(0, 32 * 4, k =>
        {
            int i = k % 32;
            using var loaded = file.Load($"t{i}");
            Assert.Equal(i * 100f, loaded.data<float>()[0]);
            Assert.Equal(i * 100f + 99, loaded.data<float>()[99]);
        });
    }

    [Fact]
    public void Chunked_access_covers_every_byte_once_in_order()
    {
        // Tensors over 2 GiB are visited in chunks; exercise that path on a small tensor with a tiny chunk limit.
        using var scope = NewDisposeScope();
        var t = arange(0, 1001, ScalarType.Int32);
        var seen = new List<byte>();
        var offsets = new List<long>();

        Peft.Runtime.Safetensors.TensorStorage.ForEachChunk(t, (chunk, offset) =>
        {
            Assert.True(chunk.Length <= 12);
            offsets.Add(offset);
            seen.AddRange(chunk.ToArray());
        }, maxChunkBytes: 14);

        Assert.Equal(t.bytes.ToArray(), seen);
        Assert.Equal(Enumerable.Range(0, 334).Select(i => i * 12L), offsets);
    }
}
