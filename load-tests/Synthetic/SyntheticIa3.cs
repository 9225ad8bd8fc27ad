using System.Text.Json;
using System.Text.Json.Nodes;
using Peft.Runtime.Safetensors;
using Peft.Runtime.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.LoadTests.Synthetic;

/// <summary>
/// Writes a PEFT IA³ adapter directory as PEFT's default for Llama does (k_proj, v_proj and the feed-forward
/// down_proj of every block), with vectors near one (a trained adapter, not a fresh one whose vectors are all one).
/// </summary>
internal static class SyntheticIa3
{
    public static void Write(string directory, ModelShape shape, long seed, ScalarType dtype = ScalarType.Float32)
    {
        ArgumentNullException.ThrowIfNull(shape);
        Directory.CreateDirectory(directory);
        var config = new JsonObject
        {
            ["peft_type"] = "IA3",
            ["task_type"] = "CAUSAL_LM",
            ["base_model_name_or_path"] = null,
            ["inference_mode"] = true,
            ["target_modules"] = new JsonArray("k_proj", "v_proj", "down_proj"),
            ["feedforward_modules"] = new JsonArray("down_proj"),
            ["fan_in_fan_out"] = false,
            ["modules_to_save"] = null,
            ["init_ia3_weights"] = true,
        };
        File.WriteAllText(Path.Combine(directory, "adapter_config.json"), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)seed);
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var (module, name, inFeatures, outFeatures) in shape.Linears().Where(l => l.Name is "k_proj" or "v_proj" or "down_proj"))
        {
            long[] vector = name == "down_proj" ? [1, inFeatures] : [outFeatures, 1];
            tensors.Add(new($"base_model.model.{module}.ia3_l", randn(vector, generator: generator).mul_(Scalars.Of(0.05)).add_(Scalars.One, Scalars.One).to(dtype)));
        }
        SafetensorsWriter.Write(Path.Combine(directory, "adapter_model.safetensors"), tensors, new Dictionary<string, string> { ["format"] = "pt" });
    }
}
