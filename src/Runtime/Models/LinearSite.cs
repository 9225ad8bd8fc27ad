namespace Peft.Runtime.Models;

/// <summary>
/// One linear layer of the model where an adapter may add a delta (LoRA). <see cref="Path"/> is the module name
/// as PEFT sees it, relative to the *ForCausalLM model (<c>model.layers.0.self_attn.q_proj</c>,
/// <c>transformer.h.0.attn.c_attn</c>); <see cref="Index"/> is its position in <see cref="CausalLM.LinearSites"/>,
/// which adapter slot pools use to find their tensors without string lookups on the hot path.
/// </summary>
public sealed record LinearSite(int Index, int Layer, string Name, string Path, int InFeatures, int OutFeatures);
