using System.Text.Json;
using System.Text.Json.Nodes;
using Peft.Runtime.Safetensors;
using Peft.Runtime.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.LoadTests.Synthetic;

/// <summary>
/// Writes a Hugging Face Llama checkpoint with random weights (config.json + model.safetensors), as
/// <c>transformers</c> would save a freshly initialised LlamaForCausalLM: linears ~ N(0, 0.02), norms 1.
/// The same shape and seed always give the same file.
/// </summary>
internal static class SyntheticCheckpoint
{
    public const string ConfigFile = "config.json";
    public const string WeightsFile = "model.safetensors";

    public static void Write(string directory, ModelShape shape, long seed)
    {
        ArgumentNullException.ThrowIfNull(shape);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, ConfigFile), Config(shape).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)seed);
        var tensors = new List<KeyValuePair<string, Tensor>>
        {
            new("model.embed_tokens.weight", Normal(generator, shape.Vocab, shape.Hidden)),
        };
        for (int layer = 0; layer < shape.Layers; layer++)
        {
            foreach (var (module, _, inFeatures, outFeatures) in shape.BlockLinears(layer))
                tensors.Add(new($"{module}.weight", Normal(generator, outFeatures, inFeatures)));
            tensors.Add(new($"model.layers.{layer}.input_layernorm.weight", ones(shape.Hidden)));
            tensors.Add(new($"model.layers.{layer}.post_attention_layernorm.weight", ones(shape.Hidden)));
        }
        tensors.Add(new("model.norm.weight", ones(shape.Hidden)));
        if (!shape.TiedHead) tensors.Add(new("lm_head.weight", Normal(generator, shape.Vocab, shape.Hidden)));
        SafetensorsWriter.Write(Path.Combine(directory, WeightsFile), tensors, new Dictionary<string, string> { ["format"] = "pt" });
    }

    /// <summary>The config.json transformers writes for this shape (fields the loader reads, plus the usual ones).</summary>
    public static JsonObject Config(ModelShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return new JsonObject
        {
            ["architectures"] = new JsonArray("LlamaForCausalLM"),
            ["model_type"] = "llama",
            ["hidden_size"] = shape.Hidden,
            ["intermediate_size"] = shape.Intermediate,
            ["num_hidden_layers"] = shape.Layers,
            ["num_attention_heads"] = shape.Heads,
            ["num_key_value_heads"] = shape.KvHeads,
            ["vocab_size"] = shape.Vocab,
            ["max_position_embeddings"] = shape.MaxPositions,
            ["rms_norm_eps"] = 1e-5,
            ["rope_theta"] = 10000.0,
            ["hidden_act"] = "silu",
            ["tie_word_embeddings"] = shape.TiedHead,
            ["bos_token_id"] = 1,
            ["eos_token_id"] = 2,
            ["torch_dtype"] = "float32",
        };
    }

    private static Tensor Normal(Generator generator, long rows, long columns) =>
        randn([rows, columns], generator: generator).mul_(Scalars.Of(0.02));
}
