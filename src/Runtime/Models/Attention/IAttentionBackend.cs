using TorchSharp;

namespace Peft.Runtime.Models.Attention;

/// <summary>
/// Where keys and values come from. The model hands over the current tokens' q/k/v (RoPE already applied) and
/// gets the attention output back; whether older keys live in a paged cache, in a prefix, or nowhere is the
/// backend's business, so model code never sees the cache layout.
/// </summary>
public interface IAttentionBackend
{
    /// <param name="layer">Decoder layer index.</param>
    /// <param name="q">[tokens, heads, head_dim]</param>
    /// <param name="k">[tokens, kv_heads, head_dim]</param>
    /// <param name="v">[tokens, kv_heads, head_dim]</param>
    /// <returns>[tokens, heads * head_dim]</returns>
    torch.Tensor Attend(int layer, torch.Tensor q, torch.Tensor k, torch.Tensor v);
}
