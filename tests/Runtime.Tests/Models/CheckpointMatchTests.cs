using System.Text.Json.Nodes;
using Peft.Runtime.Models;
using Peft.Runtime.Models.Config;
using Peft.Runtime.Safetensors;
using Peft.Runtime.Tests.Fixtures;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Models;

/// <summary>
/// A checkpoint must be what its config says: GPT-2's tie_word_embeddings is honoured (an untied head is loaded and
/// used), and a tensor no architecture uses is refused by name unless it is a known-ignorable buffer.
/// </summary>
public sealed class CheckpointMatchTests : IDisposable
{
    private static readonly int[] Prompt = [1, 17, 42, 99, 7, 250, 3];
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"peft-checkpoint-{Guid.NewGuid():N}");

    private string Copy(string family)
    {
        Directory.CreateDirectory(_dir);
        foreach (var file in Directory.GetFiles(HfFixtures.BaseDirectory(family))) File.Copy(file, Path.Combine(_dir, Path.GetFileName(file)), overwrite: true);
        return _dir;
    }

    /// <summary>Rewrites model.safetensors with <paramref name="extra"/> added (made from the stored tensors).</summary>
    private void AddTensors(Func<SafetensorsFile, IEnumerable<KeyValuePair<string, Tensor>>> extra)
    {
        string path = Path.Combine(_dir, "model.safetensors");
        using var scope = NewDisposeScope();
        List<KeyValuePair<string, Tensor>> tensors;
        using (var file = SafetensorsFile.Open(path))
            tensors = [.. file.Names.Select(n => KeyValuePair.Create(n, file.Load(n))), .. extra(file)];
        SafetensorsWriter.Write(path, tensors, new Dictionary<string, string> { ["format"] = "pt" });
    }

    private void EditConfig(Action<JsonObject> edit)
    {
        string path = Path.Combine(_dir, "config.json");
        var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(config);
        File.WriteAllText(path, config.ToJsonString());
    }

    [Fact]
    public void An_untied_gpt2_head_is_loaded_and_used()
    {
        using var tied = CausalLM.Load(Copy("gpt2"), new ModelLoadOptions());
        using var scope = NewDisposeScope();
        var expected = BaseModelGoldenTests.DenseForward(tied, Prompt);
        string wte = tied.Weights.Single(w => w.Name.EndsWith("wte.weight", StringComparison.Ordinal)).Name;
        // The head twice the embedding: a linear head doubles every logit, which a tied (ignored) head would not.
        using var two = 2.0.ToScalar();
        AddTensors(file => [KeyValuePair.Create("lm_head.weight", file.Load(wte).mul(two))]);
        EditConfig(c => c["tie_word_embeddings"] = false);

        using var untied = CausalLM.Load(_dir, new ModelLoadOptions());
        var actual = BaseModelGoldenTests.DenseForward(untied, Prompt);

        Assert.True(actual.allclose(expected.mul(two), rtol: 1e-5, atol: 1e-5), "the untied head was not the one used");
        Assert.Empty(untied.UnusedTensors);
    }

    [Theory]
    [InlineData("llama", "model.layers.9.mlp.up_proj.weight")]
    [InlineData("llama", "lm_head.bias")]
    [InlineData("gpt2", "transformer.h.0.mlp.c_extra.weight")]
    public void A_tensor_the_model_does_not_use_is_refused_by_name(string family, string name)
    {
        Copy(family);
        AddTensors(_ => [KeyValuePair.Create(name, ones(4, 4))]);
        var e = Assert.Throws<ModelLoadException>(() => CausalLM.Load(_dir, new ModelLoadOptions()));
        Assert.Contains(name, e.Message);
        Assert.Contains("does not use", e.Message);
    }

    [Theory]
    [InlineData("llama", "model.layers.0.self_attn.rotary_emb.inv_freq")]
    [InlineData("gpt2", "transformer.h.0.attn.bias")]
    [InlineData("gpt2", "transformer.h.0.attn.masked_bias")]
    public void Known_buffers_of_older_exports_are_ignored(string family, string name)
    {
        Copy(family);
        AddTensors(_ => [KeyValuePair.Create(name, ones(4))]);
        using var model = CausalLM.Load(_dir, new ModelLoadOptions());
        Assert.Equal([name], model.UnusedTensors);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }
}
