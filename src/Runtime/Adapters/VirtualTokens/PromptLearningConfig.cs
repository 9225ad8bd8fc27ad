using Peft.Runtime.Json;

namespace Peft.Runtime.Adapters.VirtualTokens;

/// <summary>The fields every PEFT prompt-learning config carries (prompt tuning, P-tuning, prefix tuning).</summary>
internal sealed record PromptLearningConfig(int VirtualTokens, int? TokenDim, int? NumLayers, int? NumAttentionHeads)
{
    public static PromptLearningConfig Read(JsonFields f)
    {
        int virtualTokens = f.Int("num_virtual_tokens");
        if (virtualTokens < 1) throw f.Invalid("num_virtual_tokens", "a positive integer");
        int submodules = f.OptionalInt("num_transformer_submodules") ?? 1;
        if (submodules != 1)
            throw new AdapterLoadException($"{f.File}: num_transformer_submodules = {submodules} is not supported (decoder-only models have 1)");
        return new PromptLearningConfig(virtualTokens, f.OptionalInt("token_dim"), f.OptionalInt("num_layers"), f.OptionalInt("num_attention_heads"));
    }
}
