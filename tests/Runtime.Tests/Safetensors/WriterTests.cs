using System.Buffers.Binary;
using System.Text;
using Peft.Runtime.Safetensors;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Safetensors;

public sealed class WriterTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static IEnumerable<KeyValuePair<string, Tensor>> Throwing(IEnumerable<KeyValuePair<string, Tensor>> first)
    {
        foreach (var pair in first)
            yield return pair;
        throw new InvalidOperationException("simulated crash while producing tensors");
    }

    [Fact]
    public void Output_matches_the_reference_implementations_bytes()
    {
        // From safetensors' own tests (tensor.rs: test_serialization_forced_alignement, test_empty).
        using var scope = NewDisposeScope();
        string path = _dir.File("ref.safetensors");

        SafetensorsWriter.Write(path, [new("attn0", arange(0, 6, ScalarType.Float32).reshape(1, 1, 2, 3))]);

        byte[] expected =
        [
            72, 0, 0, 0, 0, 0, 0, 0, .. "{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}       "u8,
            0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
        ];
        Assert.Equal(expected, File.ReadAllBytes(path));

        SafetensorsWriter.Write(path, [], new Dictionary<string, string> { ["framework"] = "pt" });
        Assert.Equal([40, 0, 0, 0, 0, 0, 0, 0, .. "{\"__metadata__\":{\"framework\":\"pt\"}}     "u8], File.ReadAllBytes(path));

        SafetensorsWriter.Write(path, []);
        Assert.Equal([8, 0, 0, 0, 0, 0, 0, 0, .. "{}      "u8], File.ReadAllBytes(path));
    }

    [Fact]
    public void Tensors_are_laid_out_by_descending_alignment_then_name_so_each_starts_aligned()
    {
        using var scope = NewDisposeScope();
        string path = _dir.File("mixed.safetensors");

        SafetensorsWriter.Write(path,
        [
            new("a.mask", ones(3, ScalarType.Bool)),
            new("b.half", ones(3, ScalarType.Float16)),
            new("c.ids", ones(3, ScalarType.Int64)),
            new("d.weight", ones(3, ScalarType.Float32)),
            new("a.weight", ones(3, ScalarType.Float32)),
            new("e.bf", ones(3, ScalarType.BFloat16)),
        ]);

        using var file = SafetensorsFile.Open(path);
        var order = file.Names.Select(n => { file.TryGetInfo(n, out var i); return i!; }).OrderBy(i => i.Begin).ToList();
        Assert.Equal(["c.ids", "a.weight", "d.weight", "e.bf", "b.half", "a.mask"], order.Select(i => i.Name));
        byte[] bytes = File.ReadAllBytes(path);
        long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, headerLength % 8);
        Assert.Equal((byte)' ', bytes[8 + headerLength - 1]);
        Assert.All(order, i => Assert.Equal(0, (8 + headerLength + i.Begin) % i.Dtype.ElementSize()));
    }

    [Fact]
    public void The_same_tensors_in_any_order_give_byte_identical_files()
    {
        using var scope = NewDisposeScope();
        var tensors = new List<KeyValuePair<string, Tensor>>
        {
            new("layer.1", randn(4, 4)),
            new("layer.0", randn(4, 4).to(ScalarType.BFloat16)),
            new("ids", arange(0, 10, ScalarType.Int64)),
        };
        var metadata = new Dictionary<string, string> { ["z"] = "1", ["format"] = "pt", ["a"] = "2" };

        SafetensorsWriter.Write(_dir.File("one.safetensors"), tensors, metadata);
        tensors.Reverse();
        SafetensorsWriter.Write(_dir.File("two.safetensors"), tensors, metadata.Reverse().ToDictionary());

        Assert.Equal(File.ReadAllBytes(_dir.File("one.safetensors")), File.ReadAllBytes(_dir.File("two.safetensors")));
    }

    [Fact]
    public void Non_contiguous_grad_requiring_tensors_are_written_as_their_values_and_left_alone()
    {
        using var scope = NewDisposeScope();
        var weight = arange(0, 6, ScalarType.Float32).reshape(2, 3).requires_grad_(true);
        var transposed = weight.t();
        string path = _dir.File("t.safetensors");

        SafetensorsWriter.Write(path, [new("w", weight), new("wt", transposed)]);

        Assert.False(weight.IsInvalid);
        Assert.False(transposed.IsInvalid);
        Assert.True(weight.requires_grad);
        using var file = SafetensorsFile.Open(path);
        Assert.Equal([0f, 3, 1, 4, 2, 5], file.Load("wt").data<float>().ToArray());
        Assert.Equal(new long[] { 3, 2 }, file.Load("wt").shape);
    }

    [Fact]
    public void Writing_leaves_no_temporary_file_and_replaces_the_target()
    {
        using var scope = NewDisposeScope();
        string path = _dir.File("adapter_model.safetensors");
        SafetensorsWriter.Write(path, [new("old", zeros(2))]);

        SafetensorsWriter.Write(path, [new("new", ones(2))]);

        Assert.Equal(["adapter_model.safetensors"], _dir.FileNames());
        using var file = SafetensorsFile.Open(path);
        Assert.Equal(["new"], file.Names);
    }

    [Fact]
    public void A_crash_while_producing_tensors_leaves_the_old_file_intact()
    {
        using var scope = NewDisposeScope();
        string path = _dir.File("adapter_model.safetensors");
        SafetensorsWriter.Write(path, [new("old", zeros(2))]);
        byte[] before = File.ReadAllBytes(path);

        var e = Assert.Throws<InvalidOperationException>(() =>
            SafetensorsWriter.Write(path, Throwing([new("new", ones(1000))])));

        Assert.Equal("simulated crash while producing tensors", e.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["adapter_model.safetensors"], _dir.FileNames());
    }

    [Fact]
    public void A_failure_after_the_data_is_written_removes_the_temporary_file()
    {
        // The target is a directory, so only the final rename fails, after every byte went to the temporary file.
        using var scope = NewDisposeScope();
        string path = _dir.File("model.safetensors");
        Directory.CreateDirectory(path);

        Assert.ThrowsAny<IOException>(() => SafetensorsWriter.Write(path, [new("w", ones(1000))]));

        Assert.Equal(["model.safetensors"], _dir.FileNames());
    }

    [Fact]
    public void Unwritable_inputs_are_refused_before_any_file_is_touched()
    {
        using var scope = NewDisposeScope();
        string path = _dir.File("bad.safetensors");

        Assert.Contains("tensor 'w' is given twice", Assert.Throws<ArgumentException>(() =>
            SafetensorsWriter.Write(path, [new("w", ones(1)), new("w", ones(1))])).Message);
        Assert.Contains("'__metadata__' is reserved", Assert.Throws<ArgumentException>(() =>
            SafetensorsWriter.Write(path, [new("__metadata__", ones(1))])).Message);
        Assert.Contains("tensor 'c' is ComplexFloat32, which safetensors cannot store", Assert.Throws<ArgumentException>(() =>
            SafetensorsWriter.Write(path, [new("c", ones(1, ScalarType.ComplexFloat32))])).Message);
        Assert.Contains("a tensor name is empty", Assert.Throws<ArgumentException>(() =>
            SafetensorsWriter.Write(path, [new("", ones(1))])).Message);
        Assert.Contains("not valid Unicode", Assert.Throws<ArgumentException>(() =>
            SafetensorsWriter.Write(path, [new("w", ones(1))], new Dictionary<string, string> { ["k"] = "\ud800" })).Message);
        Assert.Contains("not valid Unicode", Assert.Throws<ArgumentException>(() =>
            SafetensorsWriter.Write(path, [new("w\udc00", ones(1))])).Message);
        Assert.Empty(_dir.FileNames());
    }

    [Fact]
    public void Names_and_metadata_with_quotes_and_control_characters_round_trip()
    {
        using var scope = NewDisposeScope();
        string path = _dir.File("odd.safetensors");
        string name = "we\"ird\\name\n\u0001\u00e9";

        SafetensorsWriter.Write(path, [new(name, ones(1))], new Dictionary<string, string> { ["k\t"] = "v\"" });

        using var file = SafetensorsFile.Open(path);
        Assert.Equal([name], file.Names);
        Assert.Equal("v\"", file.Metadata["k\t"]);
        string header = Encoding.UTF8.GetString(File.ReadAllBytes(path)[8..]);
        Assert.Contains("\"we\\\"ird\\\\name\\n\\u0001\u00e9\"", header);
    }
}
