namespace Peft.Runtime.Models;

/// <summary>
/// One linear layer of the model where an adapter may act. <see cref="Path"/> is the module name as PEFT sees it,
/// relative to the *ForCausalLM model (<c>model.layers.0.self_attn.q_proj</c>, <c>transformer.h.0.attn.c_attn</c>,
/// <c>lm_head</c>); <see cref="Index"/> is its position in <see cref="CausalLM.LinearSites"/> (the output head comes
/// after them), which adapter pools use to find their tensors without string lookups on the hot path.
/// </summary>
/// <param name="HasBias">The base layer adds a bias (GPT-2, Qwen2 q/k/v, Llama with attention_bias / mlp_bias).</param>
/// <param name="IsHead">The output projection to the vocabulary: it runs on the rows that need logits only.</param>
public sealed record LinearSite(int Index, int Layer, string Name, string Path, int InFeatures, int OutFeatures, bool HasBias = false, bool IsHead = false)
{
    /// <summary>The index of an earlier site that the model always feeds the very same input tensor (Llama's k and v read
    /// q's, up reads gate's), so adapters may compute what depends on the input once for all of them; -1: none.</summary>
    public int SharesInputWith { get; init; } = -1;

    /// <summary>Equal for every site that reads one input tensor: the index of the first of them.</summary>
    public int InputKey => SharesInputWith >= 0 ? SharesInputWith : Index;
}

/// <summary>
/// A normalisation layer with a bias (GPT-2's LayerNorms) that an adapter may replace (PEFT's bias="all").
/// RMSNorm has no bias and no site. <see cref="IsHead"/>: the final norm, on the rows that need logits only.
/// </summary>
public sealed record NormSite(int Index, int Layer, string Name, string Path, int Features, bool IsHead = false);
