using System.Globalization;
using System.Text.Json;
using Peft.Tools.DemoModel.Tokenizer;

namespace Peft.Tools.DemoModel.Pretraining;

/// <summary>
/// Writes <c>config.json</c> and <c>generation_config.json</c> with the fields, key order (sorted) and number
/// spelling (<c>1e-05</c>, <c>10000.0</c>) that transformers' <c>save_pretrained</c> writes for a LlamaConfig, so the
/// directory loads with <c>AutoModelForCausalLM.from_pretrained</c> as it does here.
/// </summary>
internal static class HfConfigWriter
{
    public const string ConfigFileName = "config.json";
    public const string GenerationConfigFileName = "generation_config.json";

    /// <summary>The transformers release whose LlamaConfig fields these files carry (the one the runtime's goldens come from).</summary>
    private const string TransformersVersion = "4.46.0";

    public static void Write(DirectoryInfo directory, LlamaShape shape)
    {
        directory.Create();
        WriteJson(Path.Combine(directory.FullName, ConfigFileName), json => Config(json, shape));
        WriteJson(Path.Combine(directory.FullName, GenerationConfigFileName), json => GenerationConfig(json, shape));
    }

    private static void Config(Utf8JsonWriter json, LlamaShape s)
    {
        json.WriteStartArray("architectures");
        json.WriteStringValue("LlamaForCausalLM");
        json.WriteEndArray();
        json.WriteBoolean("attention_bias", false);
        Float(json, "attention_dropout", 0.0);
        json.WriteNumber("bos_token_id", s.BosTokenId);
        json.WriteNumber("eos_token_id", s.EosTokenId);
        json.WriteNumber("head_dim", s.HeadDim);
        json.WriteString("hidden_act", "silu");
        json.WriteNumber("hidden_size", s.HiddenSize);
        Float(json, "initializer_range", LlamaShape.InitializerRange);
        json.WriteNumber("intermediate_size", s.IntermediateSize);
        json.WriteNumber("max_position_embeddings", s.MaxPositions);
        json.WriteBoolean("mlp_bias", false);
        json.WriteString("model_type", "llama");
        json.WriteNumber("num_attention_heads", s.NumHeads);
        json.WriteNumber("num_hidden_layers", s.NumLayers);
        json.WriteNumber("num_key_value_heads", s.NumKeyValueHeads);
        if (s.PadTokenId is { } pad) json.WriteNumber("pad_token_id", pad);
        json.WriteNumber("pretraining_tp", 1);
        Float(json, "rms_norm_eps", LlamaShape.RmsNormEps);
        json.WriteNull("rope_scaling");
        Float(json, "rope_theta", LlamaShape.RopeTheta);
        json.WriteBoolean("tie_word_embeddings", true);
        json.WriteString("torch_dtype", "float32");
        json.WriteString("transformers_version", TransformersVersion);
        json.WriteBoolean("use_cache", true);
        json.WriteNumber("vocab_size", s.VocabSize);
    }

    private static void GenerationConfig(Utf8JsonWriter json, LlamaShape s)
    {
        json.WriteBoolean("_from_model_config", true);
        json.WriteNumber("bos_token_id", s.BosTokenId);
        json.WriteNumber("eos_token_id", s.EosTokenId);
        if (s.PadTokenId is { } pad) json.WriteNumber("pad_token_id", pad);
        json.WriteString("transformers_version", TransformersVersion);
    }

    private static void WriteJson(string path, Action<Utf8JsonWriter> body)
    {
        using var stream = File.Create(path);
        using (var json = new Utf8JsonWriter(stream, HfJson.WriterOptions))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
    }

    /// <summary>A float as Python's <c>repr</c> spells it, which is what json.dumps writes: 10000.0, 0.02, 1e-05.</summary>
    private static void Float(Utf8JsonWriter json, string name, double value)
    {
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        if (text.Contains('E', StringComparison.Ordinal)) text = text.Replace("E", "e", StringComparison.Ordinal);
        else if (!text.Contains('.', StringComparison.Ordinal)) text += ".0";
        json.WritePropertyName(name);
        json.WriteRawValue(text);
    }
}
