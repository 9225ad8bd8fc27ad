using System.Text.Json;
using System.Text.Json.Nodes;
using Peft.Runtime.Safetensors;
using Peft.Runtime.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.LoadTests.Synthetic;

/// <summary>
/// Writes a PEFT LoRA adapter directory (adapter_config.json + adapter_model.safetensors with PEFT's key names)
/// targeting every linear of every block. lora_A is PEFT's kaiming-uniform initialisation; lora_B is random and
/// non-zero (a trained adapter, not a fresh one whose delta would be zero).
/// </summary>
internal static class SyntheticLora
{
    public static readonly string[] AllLinear = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];

    /// <param name="dora">Also a DoRA magnitude per module (use_dora): all ones, so g = 1 / ‖W + s·B·A‖.</param>
    public static void Write(string directory, ModelShape shape, int rank, double alpha, long seed, ScalarType dtype = ScalarType.Float32, bool dora = false)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentOutOfRangeException.ThrowIfLessThan(rank, 1);
        Directory.CreateDirectory(directory);
        var config = Config(rank, alpha);
        config["use_dora"] = dora;
        File.WriteAllText(Path.Combine(directory, "adapter_config.json"), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)seed);
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var (module, _, inFeatures, outFeatures) in shape.Linears())
        {
            double bound = 1 / Math.Sqrt(inFeatures);
            using var width = (2 * bound).ToScalar();
            using var low = bound.ToScalar();
            var a = rand([rank, inFeatures], generator: generator).mul_(width).sub_(low);
            var b = randn([outFeatures, rank], generator: generator).mul_(Scalars.Of(0.02));
            tensors.Add(new($"base_model.model.{module}.lora_A.weight", a.to(dtype)));
            tensors.Add(new($"base_model.model.{module}.lora_B.weight", b.to(dtype)));
            if (dora) tensors.Add(new($"base_model.model.{module}.lora_magnitude_vector", ones(outFeatures, dtype)));
        }
        SafetensorsWriter.Write(Path.Combine(directory, "adapter_model.safetensors"), tensors, new Dictionary<string, string> { ["format"] = "pt" });
    }

    /// <summary>adapter_config.json as PEFT 0.1x saves it for a causal LM.</summary>
    public static JsonObject Config(int rank, double alpha) => new()
    {
        ["peft_type"] = "LORA",
        ["task_type"] = "CAUSAL_LM",
        ["base_model_name_or_path"] = null,
        ["inference_mode"] = true,
        ["r"] = rank,
        ["lora_alpha"] = alpha,
        ["lora_dropout"] = 0.0,
        ["target_modules"] = new JsonArray([.. AllLinear.Select(m => (JsonNode?)JsonValue.Create(m))]),
        ["bias"] = "none",
        ["fan_in_fan_out"] = false,
        ["use_rslora"] = false,
        ["use_dora"] = false,
        ["modules_to_save"] = null,
        ["init_lora_weights"] = true,
        ["layers_to_transform"] = null,
        ["layers_pattern"] = null,
        ["rank_pattern"] = new JsonObject(),
        ["alpha_pattern"] = new JsonObject(),
    };

    /// <summary>Bytes of the adapter's tensors in <paramref name="dtype"/>.</summary>
    public static long Bytes(ModelShape shape, int rank, ScalarType dtype)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long elements = shape.Linears().Sum(l => (long)rank * (l.In + l.Out));
        return elements * (dtype == ScalarType.Float32 ? 4 : 2);
    }
}
