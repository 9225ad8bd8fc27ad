using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Peft.Runtime.Models;
using Peft.Runtime.Models.Config;
using Peft.Runtime.Tests.Fixtures;

namespace Peft.Runtime.Tests.Models;

/// <summary>Every way a model directory can be wrong gives a message naming the problem, never a crash.</summary>
public sealed class ModelLoadErrorTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"peft-model-{Guid.NewGuid():N}");

    public ModelLoadErrorTests()
    {
        Directory.CreateDirectory(_dir);
        foreach (var file in Directory.GetFiles(HfFixtures.BaseDirectory("llama")))
            File.Copy(file, Path.Combine(_dir, Path.GetFileName(file)));
    }

    private string Weights => Path.Combine(_dir, "model.safetensors");

    [Fact]
    public void The_unmodified_copy_loads()
    {
        using var model = CausalLM.Load(_dir, new ModelLoadOptions());
        Assert.Equal(3, model.Config.NumLayers);
        Assert.Empty(model.UnusedTensors);
    }

    [Fact]
    public void Missing_config() => Fails(() => File.Delete(Path.Combine(_dir, "config.json")), "no config.json");

    [Fact]
    public void Missing_weights() => Fails(() => File.Delete(Weights), "model.safetensors");

    [Fact]
    public void Pickle_only_weights_are_refused_unopened() => Fails(() =>
    {
        File.Delete(Weights);
        File.WriteAllText(Path.Combine(_dir, "pytorch_model.bin"), "not even a pickle");
    }, "pickle");

    [Fact]
    public void Unknown_architecture() => Fails(() => EditConfig(c => c["architectures"] = new JsonArray("FalconForCausalLM")), "'FalconForCausalLM' is not supported");

    [Fact]
    public void Unsupported_rope_scaling() => Fails(() => EditConfig(c => c["rope_scaling"] = new JsonObject { ["rope_type"] = "yarn", ["factor"] = 4.0 }),
        "rope_scaling type 'yarn' is not supported");

    [Fact]
    public void Unsupported_activation() => Fails(() => EditConfig(c => c["hidden_act"] = "gelu"), "hidden_act 'gelu' is not supported");

    [Fact]
    public void Quantized_checkpoints_are_refused() => Fails(() => EditConfig(c => c["quantization_config"] = new JsonObject { ["quant_method"] = "gptq" }),
        "quantization_config");

    [Fact]
    public void Shape_mismatch_names_the_tensor_and_both_shapes() => Fails(() => EditConfig(c => c["intermediate_size"] = 100),
        "tensor 'model.layers.0.mlp.gate_proj.weight' has shape [128, 64], expected [100, 64]");

    [Fact]
    public void Missing_tensor_is_named() => Fails(() => EditConfig(c => c["tie_word_embeddings"] = false, removeTensor: "lm_head.weight"),
        "'lm_head.weight' is missing");

    [Fact]
    public void Truncated_weights() => Fails(() =>
    {
        var bytes = File.ReadAllBytes(Weights);
        File.WriteAllBytes(Weights, bytes[..(bytes.Length - 100)]);
    }, "truncated");

    [Fact]
    public void A_header_lying_about_sizes() => Fails(() => RewriteHeader(header =>
    {
        var entry = header["model.norm.weight"]!.AsObject();
        entry["shape"] = new JsonArray(128);
    }), "model.norm.weight");

    [Fact]
    public void Not_valid_json_config() => Fails(() => File.WriteAllText(Path.Combine(_dir, "config.json"), "{ not json"), "config.json: not valid JSON");

    private void Fails(Action corrupt, string expected)
    {
        corrupt();
        var e = Assert.Throws<ModelLoadException>(() => CausalLM.Load(_dir, new ModelLoadOptions()).Dispose());
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    private void EditConfig(Action<JsonObject> edit, string? removeTensor = null)
    {
        string path = Path.Combine(_dir, "config.json");
        var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(config);
        File.WriteAllText(path, config.ToJsonString());
        if (removeTensor is not null) RewriteHeader(h => h.Remove(removeTensor), dropData: true);
    }

    /// <summary>Rewrites the safetensors JSON header in place, keeping the data bytes.</summary>
    private void RewriteHeader(Action<JsonObject> edit, bool dropData = false)
    {
        var bytes = File.ReadAllBytes(Weights);
        long n = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, (int)n))!.AsObject();
        var data = bytes[(8 + (int)n)..];
        edit(header);
        if (dropData)
        {
            // Re-pack the remaining tensors contiguously so only the intended change remains.
            var packed = new List<byte>();
            foreach (var (name, node) in header.Where(p => p.Key != "__metadata__").OrderBy(p => p.Value!["data_offsets"]![0]!.GetValue<long>()).ToList())
            {
                long begin = node!["data_offsets"]![0]!.GetValue<long>(), end = node["data_offsets"]![1]!.GetValue<long>();
                node["data_offsets"] = new JsonArray(packed.Count, packed.Count + (end - begin));
                packed.AddRange(data[(int)begin..(int)end]);
            }
            data = [.. packed];
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var prefix = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(prefix, json.Length);
        File.WriteAllBytes(Weights, [.. prefix, .. json, .. data]);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
