using System.Text.Json;
using Peft.Runtime.Json;

namespace Peft.Runtime.Models.Config;

/// <summary>
/// Reads <c>config.json</c> (and <c>generation_config.json</c> when present) of a Hugging Face model directory.
/// Every field that changes the math is either implemented or refused here, by name: a silently ignored
/// <c>rope_scaling</c> or activation is a wrong model.
/// </summary>
public static class ModelConfigReader
{
    public static ModelConfig Read(string modelDirectory)
    {
        string path = Path.Combine(modelDirectory, "config.json");
        if (!File.Exists(path)) throw new ModelLoadException($"{modelDirectory}: no config.json (a Hugging Face model directory has one)");
        using var config = Parse(path);
        var fields = new JsonFields(config.RootElement, "config.json", Error);

        if (fields.Has("quantization_config"))
            throw new ModelLoadException("config.json: 'quantization_config' is set; quantized checkpoints are not supported");

        string architecture = Architecture(config.RootElement);
        var model = architecture switch
        {
            "LlamaForCausalLM" => ReadLlamaLike(fields, ModelFamily.Llama, architecture),
            "MistralForCausalLM" => ReadLlamaLike(fields, ModelFamily.Mistral, architecture),
            "Qwen2ForCausalLM" => ReadLlamaLike(fields, ModelFamily.Qwen2, architecture),
            "GPT2LMHeadModel" => ReadGpt2(fields, architecture),
            _ => throw new ModelLoadException(
                $"config.json: architecture '{architecture}' is not supported (supported: LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, GPT2LMHeadModel)"),
        };
        return WithGenerationConfig(model, modelDirectory);
    }

    private static ModelLoadException Error(string message) => new(message);

    private static JsonDocument Parse(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new ModelLoadException($"{Path.GetFileName(path)}: not valid JSON ({e.Message})", e);
        }
    }

    private static string Architecture(JsonElement root)
    {
        if (root.TryGetProperty("architectures", out var list) && list.ValueKind == JsonValueKind.Array && list.GetArrayLength() > 0)
            return list[0].GetString() ?? "";
        string? modelType = root.TryGetProperty("model_type", out var t) ? t.GetString() : null;
        return modelType switch
        {
            "llama" => "LlamaForCausalLM",
            "mistral" => "MistralForCausalLM",
            "qwen2" => "Qwen2ForCausalLM",
            "gpt2" => "GPT2LMHeadModel",
            _ => throw new ModelLoadException($"config.json: no 'architectures' and model_type '{modelType}' is not supported"),
        };
    }

    private static ModelConfig ReadLlamaLike(JsonFields f, ModelFamily family, string architecture)
    {
        string act = f.OptionalString("hidden_act") ?? "silu";
        if (act != "silu") throw new ModelLoadException($"config.json: hidden_act '{act}' is not supported (only silu)");

        int hidden = f.Int("hidden_size");
        int heads = f.Int("num_attention_heads");
        int kvHeads = f.OptionalInt("num_key_value_heads") ?? heads;
        if (heads % kvHeads != 0)
            throw new ModelLoadException($"config.json: num_attention_heads {heads} is not a multiple of num_key_value_heads {kvHeads}");
        int headDim = HeadDim(f, family, hidden, heads);
        int maxPositions = f.Int("max_position_embeddings");
        bool attentionBias = f.OptionalBool("attention_bias") ?? false;

        return new ModelConfig
        {
            Family = family,
            Architecture = architecture,
            ModelType = f.OptionalString("model_type") ?? family.ToString().ToLowerInvariant(),
            VocabSize = f.Int("vocab_size"),
            HiddenSize = hidden,
            IntermediateSize = f.Int("intermediate_size"),
            NumLayers = f.Int("num_hidden_layers"),
            NumHeads = heads,
            NumKeyValueHeads = kvHeads,
            HeadDim = headDim,
            MaxPositionEmbeddings = Math.Min(maxPositions, SlidingWindowLimit(f, family) ?? int.MaxValue),
            NormEps = f.OptionalDouble("rms_norm_eps") ?? 1e-6,
            Rope = new RopeConfig(f.OptionalDouble("rope_theta") ?? 10000.0, ReadRopeScaling(f)),
            // Llama, Mistral and Qwen2 configs default to an untied head.
            TieWordEmbeddings = f.OptionalBool("tie_word_embeddings") ?? false,
            QkvBias = family == ModelFamily.Qwen2 || attentionBias,
            OutputBias = family != ModelFamily.Qwen2 && attentionBias,
            MlpBias = f.OptionalBool("mlp_bias") ?? false,
            BosTokenId = f.OptionalInt("bos_token_id"),
            EosTokenIds = f.IntOrList("eos_token_id"),
        };
    }

    private static int HeadDim(JsonFields f, ModelFamily family, int hidden, int heads)
    {
        int derived = hidden / heads;
        int? field = f.OptionalInt("head_dim");
        // Qwen2 at the supported transformers version always derives head_dim; a different explicit value
        // would be silently ignored there, so refuse it rather than guess.
        if (family == ModelFamily.Qwen2 && field is { } q && q != derived)
            throw new ModelLoadException($"config.json: head_dim {q} differs from hidden_size/num_attention_heads = {derived}, which Qwen2 uses");
        return field ?? derived;
    }

    /// <summary>
    /// An active sliding window changes attention only for contexts longer than the window, so such a model is
    /// served exactly by capping its context at the window.
    /// </summary>
    private static int? SlidingWindowLimit(JsonFields f, ModelFamily family)
    {
        int? window = f.OptionalInt("sliding_window");
        if (window is null) return null;
        bool active = family switch
        {
            ModelFamily.Qwen2 => f.OptionalBool("use_sliding_window") ?? false,
            ModelFamily.Mistral => true,
            _ => false,
        };
        return active ? window : null;
    }

    private static RopeScaling? ReadRopeScaling(JsonFields f)
    {
        if (f.Raw("rope_scaling") is not { } s) return null;
        if (s.ValueKind != JsonValueKind.Object) throw f.Invalid("rope_scaling", "an object or null");
        var scaling = f.Nested(s, "rope_scaling");
        string type = scaling.OptionalString("rope_type") ?? scaling.OptionalString("type")
            ?? throw new ModelLoadException("config.json: rope_scaling has no 'rope_type'");
        switch (type)
        {
            case "default":
                return null;
            case "linear":
                return new LinearRopeScaling(scaling.Double("factor"));
            case "llama3":
                return new Llama3RopeScaling(
                    scaling.Double("factor"),
                    scaling.Double("low_freq_factor"),
                    scaling.Double("high_freq_factor"),
                    scaling.Int("original_max_position_embeddings"));
            default:
                throw new ModelLoadException($"config.json: rope_scaling type '{type}' is not supported (supported: default, linear, llama3)");
        }
    }

    private static ModelConfig ReadGpt2(JsonFields f, string architecture)
    {
        string act = f.OptionalString("activation_function") ?? "gelu_new";
        if (act is not ("gelu_new" or "gelu_pytorch_tanh"))
            throw new ModelLoadException($"config.json: activation_function '{act}' is not supported (supported: gelu_new, gelu_pytorch_tanh)");
        if (f.OptionalBool("scale_attn_weights") == false)
            throw new ModelLoadException("config.json: scale_attn_weights false is not supported");
        if (f.OptionalBool("scale_attn_by_inverse_layer_idx") == true)
            throw new ModelLoadException("config.json: scale_attn_by_inverse_layer_idx true is not supported");
        if (f.OptionalBool("add_cross_attention") == true)
            throw new ModelLoadException("config.json: add_cross_attention true is not supported");

        int hidden = f.Int("n_embd");
        int heads = f.Int("n_head");
        return new ModelConfig
        {
            Family = ModelFamily.Gpt2,
            Architecture = architecture,
            ModelType = "gpt2",
            VocabSize = f.Int("vocab_size"),
            HiddenSize = hidden,
            IntermediateSize = f.OptionalInt("n_inner") ?? 4 * hidden,
            NumLayers = f.Int("n_layer"),
            NumHeads = heads,
            NumKeyValueHeads = heads,
            HeadDim = hidden / heads,
            MaxPositionEmbeddings = f.Int("n_positions"),
            NormEps = f.OptionalDouble("layer_norm_epsilon") ?? 1e-5,
            Rope = null,
            // PretrainedConfig's default, which GPT-2 keeps.
            TieWordEmbeddings = f.OptionalBool("tie_word_embeddings") ?? true,
            QkvBias = true,
            OutputBias = true,
            MlpBias = true,
            BosTokenId = f.OptionalInt("bos_token_id"),
            EosTokenIds = f.IntOrList("eos_token_id"),
        };
    }

    private static ModelConfig WithGenerationConfig(ModelConfig model, string modelDirectory)
    {
        string path = Path.Combine(modelDirectory, "generation_config.json");
        if (!File.Exists(path)) return model;
        using var generation = Parse(path);
        var fields = new JsonFields(generation.RootElement, "generation_config.json", Error);
        return model with
        {
            BosTokenId = fields.OptionalInt("bos_token_id") ?? model.BosTokenId,
            EosTokenIds = model.EosTokenIds.Union(fields.IntOrList("eos_token_id")).ToArray(),
        };
    }
}
