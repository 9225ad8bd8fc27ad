using System.Buffers.Binary;
using Peft.Runtime.Safetensors;
using Peft.Runtime.Tests.Torch;
using TorchSharp;
using static Peft.Runtime.Tests.Safetensors.RawSafetensors;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Safetensors;

/// <summary>Every way a file can be broken fails in Open, with a message naming the file, the tensor and the problem.</summary>
public sealed class HeaderValidationTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private SafetensorsFormatException Refused(string path)
    {
        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(path).Dispose());
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Equal(path, e.FilePath);
        return e;
    }

    private string Crafted(string header, byte[] data, ulong? declaredHeaderLength = null)
    {
        string path = _dir.File("model.safetensors");
        Write(path, header, data, declaredHeaderLength);
        return path;
    }

    /// <summary>q [2,2] F32 at [0,16) and k [2] F32 at [16,24).</summary>
    private string ValidFile()
        => Crafted(Header(Entry("q", "F32", "[2,2]", 0, 16), Entry("k", "F32", "[2]", 16, 24)), Floats(1, 2, 3, 4, 5, 6));

    [Fact]
    public void Truncated_data_names_the_first_tensor_past_the_end_and_the_byte_counts()
    {
        string path = ValidFile();
        using (var stream = File.OpenWrite(path))
            stream.SetLength(stream.Length - 4);

        var e = Refused(path);

        Assert.Equal("k", e.TensorName);
        Assert.Contains("tensor 'k' claims bytes [16, 24) but the file has only 20 data bytes", e.Message);
    }

    [Fact]
    public void Truncated_header_says_how_long_it_should_be_and_how_much_is_there()
    {
        string path = ValidFile();
        int headerLength = Header(Entry("q", "F32", "[2,2]", 0, 16), Entry("k", "F32", "[2]", 16, 24)).Length;
        using (var stream = File.OpenWrite(path))
            stream.SetLength(8 + 20);

        var e = Refused(path);

        Assert.Contains($"header length says {headerLength} bytes, but the file has only 20 bytes after the length", e.Message);
    }

    [Theory]
    [InlineData(1000UL, "header length says 1000 bytes, but the file has only")]
    [InlineData(100_000_001UL, "more than the 100000000-byte limit")]
    [InlineData(ulong.MaxValue, "header length says 18446744073709551615 bytes, more than the 100000000-byte limit")]
    public void A_header_length_beyond_the_file_or_the_limit_is_refused(ulong declared, string expected)
        => Assert.Contains(expected, Refused(Crafted("{}", [], declared)).Message);

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void A_file_shorter_than_the_length_prefix_is_refused(int length)
    {
        string path = _dir.File("short.safetensors");
        File.WriteAllBytes(path, new byte[length]);

        Assert.Contains($"is {length} bytes long, too short for the 8-byte header length", Refused(path).Message);
    }

    [Fact]
    public void Garbage_is_refused_not_parsed()
    {
        string path = _dir.File("notes.safetensors");
        File.WriteAllText(path, "these are my notes, not a safetensors file at all");

        Assert.Contains("not a safetensors file", Refused(path).Message);
    }

    [Theory]
    [InlineData("{\"q\": {\"dtype\": \"F32\",", "header is not valid JSON")]
    [InlineData("{\"q\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]},}", "header is not valid JSON")]
    [InlineData("[1, 2, 3]", "does not start with '{'")]
    [InlineData("  {}", "does not start with '{'")]
    [InlineData("{} {}", "header is not valid JSON")]
    public void Bad_json_is_refused(string header, string expected)
        => Assert.Contains(expected, Refused(Crafted(header, [])).Message);

    [Fact]
    public void A_header_that_is_not_utf8_is_refused()
    {
        string path = _dir.File("latin1.safetensors");
        byte[] header = [.. "{\"__metadata__\":{\"k\":\""u8, 0xE9, .. "\"}}"u8];
        var bytes = new byte[8 + header.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);

        Assert.Contains("header is not valid UTF-8", Refused(path).Message);
    }

    [Fact]
    public void An_unknown_dtype_is_named_with_the_known_ones()
    {
        var e = Refused(Crafted(Header(Entry("w", "F128", "[1]", 0, 16)), new byte[16]));

        Assert.Equal("w", e.TensorName);
        Assert.Contains("tensor 'w' has unknown dtype 'F128' (known: BOOL, U8, I8", e.Message);
    }

    [Fact]
    public void Shape_and_byte_count_must_agree()
    {
        var e = Refused(Crafted(Header(Entry("w", "F32", "[2,3]", 0, 20)), new byte[20]));

        Assert.Contains("tensor 'w' is F32 [2, 3] = 24 bytes, but its data_offsets [0, 20) span 20 bytes", e.Message);
    }

    [Theory]
    [InlineData("[2,-1]")]
    [InlineData("[2.5]")]
    [InlineData("[\"2\"]")]
    [InlineData("3")]
    public void Shapes_must_be_arrays_of_non_negative_integers(string shape)
        => Assert.Contains($"tensor 'w' has shape {shape}, expected an array of non-negative integers",
            Refused(Crafted(Header(Entry("w", "F32", shape, 0, 8)), new byte[8])).Message);

    [Fact]
    public void A_shape_too_large_for_any_file_is_refused_without_overflowing()
        => Assert.Contains("tensor 'w' has shape [4611686018427387904, 4611686018427387904] of F32, more bytes than any file can hold",
            Refused(Crafted(Header(Entry("w", "F32", "[4611686018427387904,4611686018427387904]", 0, 8)), new byte[8])).Message);

    [Theory]
    [InlineData("[8,0]")]
    [InlineData("[-8,0]")]
    [InlineData("[0]")]
    [InlineData("[0,8,16]")]
    [InlineData("[0,18446744073709551616]")]
    public void Offsets_must_be_an_ordered_pair_of_non_negative_integers(string offsets)
    {
        string header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":" + offsets + "}}";

        Assert.Contains($"tensor 'w' has data_offsets {offsets}, expected [begin, end] with 0 <= begin <= end",
            Refused(Crafted(header, new byte[8])).Message);
    }

    [Fact]
    public void Overlapping_ranges_name_both_tensors()
    {
        var e = Refused(Crafted(Header(Entry("b", "F32", "[4]", 8, 24), Entry("a", "F32", "[4]", 0, 16)), new byte[24]));

        Assert.Contains("tensor 'b' claims bytes [8, 24), which overlap tensor 'a' at [0, 16)", e.Message);
    }

    [Fact]
    public void A_hole_between_tensors_is_refused()
    {
        var e = Refused(Crafted(Header(Entry("a", "F32", "[4]", 0, 16), Entry("b", "F32", "[4]", 24, 40)), new byte[40]));

        Assert.Contains("tensor 'b' starts at byte 24, but tensor 'a' ends at 16: bytes [16, 24) belong to no tensor", e.Message);
    }

    [Fact]
    public void A_hole_before_the_first_tensor_is_refused()
        => Assert.Contains("tensor 'a' starts at byte 8, but the data region starts at 0",
            Refused(Crafted(Header(Entry("a", "F32", "[2]", 8, 16)), new byte[16])).Message);

    [Fact]
    public void Trailing_bytes_after_the_last_tensor_are_refused()
        => Assert.Contains("has 24 data bytes but its tensors cover only [0, 16): the last 8 bytes belong to no tensor",
            Refused(Crafted(Header(Entry("a", "F32", "[4]", 0, 16)), new byte[24])).Message);

    [Fact]
    public void A_tensor_listed_twice_is_refused()
        => Assert.Contains("tensor 'a' appears twice in the header",
            Refused(Crafted(Header(Entry("a", "F32", "[2]", 0, 8), Entry("a", "F32", "[2]", 8, 16)), new byte[16])).Message);

    [Theory]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2]}}", "tensor 'w' has no 'data_offsets' field")]
    [InlineData("{\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}}", "tensor 'w' has no 'dtype' field")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"strides\":[1]}}", "tensor 'w' has unknown field 'strides'")]
    [InlineData("{\"w\":[1,2]}", "tensor 'w' must be an object with dtype, shape and data_offsets, found an array")]
    [InlineData("{\"w\":{\"dtype\":32,\"shape\":[2],\"data_offsets\":[0,8]}}", "tensor 'w' has dtype 32, expected a string")]
    [InlineData("{\"__metadata__\":{\"total_size\":8},\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "'__metadata__' entry 'total_size' must be a string, found 8")]
    [InlineData("{\"__metadata__\":[],\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "'__metadata__' must be an object of string values, found an array")]
    public void Malformed_entries_name_the_field(string header, string expected)
        => Assert.Contains(expected, Refused(Crafted(header, new byte[8])).Message);

    [Fact]
    public void Every_truncation_of_a_valid_file_is_a_format_error_never_a_crash()
    {
        string valid = ValidFile();
        byte[] bytes = File.ReadAllBytes(valid);
        string path = _dir.File("cut.safetensors");

        for (int length = 0; length < bytes.Length; length++)
        {
            File.WriteAllBytes(path, bytes[..length]);
            Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(path).Dispose());
        }
    }

    [Fact]
    public void Corrupting_any_header_byte_gives_a_valid_file_or_a_format_error_never_a_crash()
    {
        string valid = ValidFile();
        byte[] bytes = File.ReadAllBytes(valid);
        int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        string path = _dir.File("flipped.safetensors");

        foreach (byte mask in new byte[] { 0x01, 0x10, 0x80, 0xFF })
        {
            for (int i = 0; i < headerEnd; i++)
            {
                byte[] corrupt = (byte[])bytes.Clone();
                corrupt[i] ^= mask;
                File.WriteAllBytes(path, corrupt);
                try
                {
                    using var file = SafetensorsFile.Open(path);
                    foreach (string name in file.Names)
                        file.Load(name).Dispose();
                }
                catch (SafetensorsFormatException)
                {
                }
                catch (NotSupportedException)
                {
                    // A flip that turns a dtype into one TorchSharp lacks: valid file, refused load.
                }
            }
        }
    }

    [Fact]
    public void Load_of_an_unknown_name_says_so()
    {
        using var file = SafetensorsFile.Open(ValidFile());

        var e = Assert.Throws<KeyNotFoundException>(() => file.Load("v"));

        Assert.Contains("no tensor named 'v' among its 2 tensors", e.Message);
    }

    [Fact]
    public void A_dtype_torch_lacks_is_validated_but_not_loaded()
    {
        using var file = SafetensorsFile.Open(Crafted(Header(Entry("ids", "U16", "[4]", 0, 8)), new byte[8]));

        Assert.True(file.TryGetInfo("ids", out var info));
        Assert.Equal(SafetensorsDtype.U16, info.Dtype);
        var e = Assert.Throws<NotSupportedException>(() => file.Load("ids"));
        Assert.Contains("tensor 'ids' is U16, which TorchSharp has no type for", e.Message);
    }

    [Fact]
    public void Bool_bytes_other_than_0_and_1_are_refused_on_load()
    {
        OwnThread.Run(() =>
        {
            using var file = SafetensorsFile.Open(Crafted(Header(Entry("mask", "BOOL", "[4]", 0, 4)), [1, 0, 2, 1]));
            long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

            var e = Assert.Throws<SafetensorsFormatException>(() => file.Load("mask"));

            Assert.Contains("tensor 'mask' is BOOL but element 2 is the byte 2", e.Message);
            Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        });
    }

    [Fact]
    public void A_file_truncated_after_it_was_opened_fails_the_load_with_a_clear_message()
    {
        string path = ValidFile();
        using var file = SafetensorsFile.Open(path);
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
            stream.SetLength(stream.Length - 4);

        var e = Assert.Throws<SafetensorsFormatException>(() => file.Load("k"));

        Assert.Contains("tensor 'k' could not be read: the file ended before byte", e.Message);
    }

    [Fact]
    public void Zero_byte_tensors_sit_between_others()
    {
        using var file = SafetensorsFile.Open(Crafted(
            Header(Entry("z", "F32", "[0,3]", 8, 8), Entry("a", "F32", "[2]", 0, 8), Entry("b", "F32", "[1]", 8, 12)),
            Floats(1, 2, 3)));

        Assert.Equal(new long[] { 0, 3 }, file.Load("z").shape);
        Assert.Equal(3f, file.Load("b").item<float>());
    }

    [Fact]
    public void An_empty_file_of_no_tensors_is_valid()
    {
        using var file = SafetensorsFile.Open(Crafted("{}      ", []));

        Assert.Empty(file.Names);
        Assert.Empty(file.Metadata);
    }

    [Fact]
    public void Metadata_survives_as_strings()
    {
        string header = "{\"__metadata__\":{\"format\":\"pt\",\"note\":\"caf\u00e9 \\\"quoted\\\"\"}," + Entry("a", "I8", "[1]", 0, 1) + "}";
        using var file = SafetensorsFile.Open(Crafted(header, [5]));

        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal("caf\u00e9 \"quoted\"", file.Metadata["note"]);
    }
}
