using Peft.Runtime.Safetensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Safetensors;

/// <summary>
/// Against a file written by Hugging Face transformers (safetensors' Rust writer): the tiny Llama of the golden
/// fixtures. Expected values were read from the file with Python's struct module, not with this code.
/// </summary>
public sealed class HuggingFaceGoldenTests
{
    private static readonly string ModelPath = Fixtures.Path("hf", "llama", "base", "model.safetensors");

    [Fact]
    public void The_hf_llama_file_has_the_expected_header()
    {
        using var file = SafetensorsFile.Open(ModelPath);

        Assert.Equal(new Dictionary<string, string> { ["format"] = "pt" }, file.Metadata);
        Assert.Equal(30, file.Names.Count); // embeddings, lm_head, final norm and 9 weights in each of 3 layers
        Assert.True(file.TryGetInfo("model.layers.0.self_attn.k_proj.weight", out var k));
        Assert.Equal(SafetensorsDtype.F32, k.Dtype);
        Assert.Equal(new long[] { 32, 64 }, k.Shape.ToArray());
        Assert.Equal((295424L, 303616L), (k.Begin, k.End));
        Assert.True(file.TryGetInfo("lm_head.weight", out var head));
        Assert.Equal(new long[] { 384, 64 }, head.Shape.ToArray());
        Assert.Equal(640768L, file.DataLength);
    }

    [Fact]
    public void The_hf_llama_weights_have_the_values_python_reads()
    {
        using var file = SafetensorsFile.Open(ModelPath);
        using var k = file.Load("model.layers.0.self_attn.k_proj.weight");
        using var norm = file.Load("model.norm.weight");

        float[] values = k.data<float>().ToArray();
        Assert.Equal([0xbe9f1a33u, 0xbe85eefdu, 0xbd5a5148u], values.Take(3).Select(BitConverter.SingleToUInt32Bits));
        Assert.Equal(0.09433309733867645f, values[^1]);
        Assert.Equal(8.573518477576727, values.Sum(v => (double)v), 12);
        Assert.All(norm.data<float>().ToArray(), v => Assert.Equal(1f, v));
    }

    [Fact]
    public void Rewriting_the_hf_file_with_our_writer_gives_the_same_bytes()
    {
        using var dir = new TempDirectory();
        using var file = SafetensorsFile.Open(ModelPath);
        using var scope = NewDisposeScope();
        var tensors = file.Names.Select(n => KeyValuePair.Create(n, file.Load(n))).ToList();
        string copy = dir.File("model.safetensors");

        SafetensorsWriter.Write(copy, tensors, file.Metadata);

        Assert.Equal(File.ReadAllBytes(ModelPath), File.ReadAllBytes(copy));
    }

    [Fact]
    public void The_hf_model_directory_opens_as_a_checkpoint()
    {
        using var checkpoint = SafetensorsCheckpoint.Open(Path.GetDirectoryName(ModelPath)!);
        using var embed = checkpoint.Load("model.embed_tokens.weight", ScalarType.BFloat16);

        Assert.Equal(30, checkpoint.Names.Count);
        Assert.Equal(new long[] { 384, 64 }, embed.shape);
        Assert.Equal(ScalarType.BFloat16, embed.dtype);
    }
}
