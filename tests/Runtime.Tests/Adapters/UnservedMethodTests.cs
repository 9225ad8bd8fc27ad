using System.Text.Json.Nodes;
using Peft.Runtime.Adapters;
using Peft.Runtime.Tests.Fixtures;
using Peft.Runtime.Tests.Models;

namespace Peft.Runtime.Tests.Adapters;

/// <summary>What PEFT can save and this server does not serve is refused by name, never half-served.</summary>
public sealed class UnservedMethodTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("peft-unserved").FullName;

    /// <summary>PEFT's other peft_type values (0.13 to 0.20).</summary>
    [Theory]
    [InlineData("BOFT")]
    [InlineData("OFT")]
    [InlineData("HRA")]
    [InlineData("FOURIERFT")]
    [InlineData("VBLORA")]
    [InlineData("LN_TUNING")]
    [InlineData("POLY")]
    [InlineData("XLORA")]
    [InlineData("ADAPTION_PROMPT")]
    [InlineData("CPT")]
    [InlineData("BONE")]
    [InlineData("RANDLORA")]
    [InlineData("SHIRA")]
    [InlineData("C3A")]
    [InlineData("MISS")]
    [InlineData("ROAD")]
    [InlineData("TRAINABLE_TOKENS")]
    public void Other_peft_types_are_refused_by_name(string peftType)
    {
        var e = Read("llama__lora_qv", c => c["peft_type"] = peftType);
        Assert.Contains($"peft_type '{peftType}' is not supported (supported: ADALORA, IA3, LOHA, LOKR, LORA, MULTITASK_PROMPT_TUNING, PREFIX_TUNING, PROMPT_TUNING, P_TUNING, VERA)", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Fields of supported methods that change the math and are not implemented.</summary>
    [Theory]
    [InlineData("llama__lora_qv", "trainable_token_indices", "[1, 2]", "trainable_token_indices = [1,2] is not supported")]
    [InlineData("llama__dora", "layer_replication", "[[0, 2]]", "layer_replication = [[0,2]] is not supported")]
    [InlineData("llama__adalora", "modules_to_save", "[\"lm_head\"]", "modules_to_save = [\"lm_head\"] is not supported")]
    [InlineData("llama__ia3", "modules_to_save", "[\"lm_head\"]", "modules_to_save = [\"lm_head\"] is not supported")]
    [InlineData("llama__loha", "lora_bias", "true", "lora_bias = true is not supported")]
    [InlineData("llama__vera", "modules_to_save", "[\"lm_head\"]", "modules_to_save = [\"lm_head\"] is not supported")]
    [InlineData("llama__lora_qv", "target_modules", "[\"rotary_emb\"]", "target modules rotary_emb not found in the base model")]
    [InlineData("gpt2__lora_embed_head", "target_modules", "[\"wpe\"]", "LoRA on transformer.wpe is not supported")]
    public void Unserved_fields_are_refused_by_name(string golden, string field, string json, string expected)
    {
        var e = Read(golden, c => c[field] = JsonNode.Parse(json));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    private AdapterLoadException Read(string name, Action<JsonObject> edit)
    {
        var golden = MethodFixtures.Case(name);
        foreach (string file in Directory.GetFiles(golden.AdapterDirectory!)) File.Copy(file, Path.Combine(_dir, Path.GetFileName(file)), overwrite: true);
        string config = Path.Combine(_dir, AdapterFiles.ConfigFile);
        var json = JsonNode.Parse(File.ReadAllText(config))!.AsObject();
        edit(json);
        File.WriteAllText(config, json.ToJsonString());
        return Assert.Throws<AdapterLoadException>(() => AdapterReader.Read(name, _dir, BaseModel.Of(ModelCache.For(golden))));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
