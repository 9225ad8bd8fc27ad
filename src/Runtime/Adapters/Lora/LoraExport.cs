using System.Text.Json.Nodes;

namespace Peft.Runtime.Adapters.Lora;

/// <summary>The LoRA config fields PEFT writes on save, for the trainable LoRA-family methods.</summary>
internal static class LoraExport
{
    public static void AddConfig(JsonObject config, int rank, double alpha, double dropout, bool useRsLora, IEnumerable<string> targets, bool gpt2, bool useDora)
    {
        config["r"] = rank;
        config["lora_alpha"] = alpha;
        config["lora_dropout"] = dropout;
        config["use_rslora"] = useRsLora;
        config["target_modules"] = new JsonArray([.. targets.Distinct().Order(StringComparer.Ordinal).Select(t => (JsonNode)t)]);
        config["bias"] = "none";
        // PEFT forces fan_in_fan_out for GPT-2's Conv1D layers; A and B have the same shapes either way.
        config["fan_in_fan_out"] = gpt2;
        config["modules_to_save"] = null;
        config["init_lora_weights"] = true;
        config["layers_to_transform"] = null;
        config["layers_pattern"] = null;
        config["rank_pattern"] = new JsonObject();
        config["alpha_pattern"] = new JsonObject();
        config["use_dora"] = useDora;
        config["layer_replication"] = null;
        config["megatron_config"] = null;
        config["megatron_core"] = "megatron.core";
        config["loftq_config"] = new JsonObject();
    }
}
