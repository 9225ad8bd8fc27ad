using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Models.Attention;

/// <summary>
/// Attention through libtorch's fused scaled-dot-product kernel (on the CPU a flash-attention kernel: scores,
/// mask, softmax and the weighted sum in one parallel op, reading keys and values through their strides). Same
/// semantics as <see cref="AttentionMath"/>; what transformers runs with attn_implementation="sdpa". The eager
/// form made a padded score tensor, copied permuted keys and values for its matmuls and took eight ops per layer.
/// </summary>
internal static class FusedAttention
{
    /// <summary>
    /// Semantics as <see cref="AttentionMath.Decode"/>. Grouped-query heads are folded into the query length: the G
    /// query heads of one key/value head are G queries against the same keys, so keys and values are never expanded.
    /// </summary>
    /// <param name="q">[B, H, D]</param>
    /// <param name="k">[B, C, Hkv, D], any strides with the last dimension dense (padding entries finite)</param>
    /// <param name="v">[B, C, Hkv, D]</param>
    /// <param name="attend">[B, 1, 1, C] bool, true where the entry is context; null when no entry is padding</param>
    /// <returns>[B, H * D]</returns>
    public static Tensor Decode(Tensor q, Tensor k, Tensor v, Tensor? attend)
    {
        long b = q.size(0), h = q.size(1), d = q.size(2), hkv = k.size(2);
        var qg = q.view(b, hkv, h / hkv, d);                                           // [B, Hkv, G, D]
        var output = nn.functional.scaled_dot_product_attention(qg, k.transpose(1, 2), v.transpose(1, 2), attend);
        return output.reshape(b, h * d);
    }

    /// <summary>
    /// Semantics as <see cref="AttentionMath.Causal"/>: the L queries are the last L entries of the C-entry context.
    /// Keys and values are expanded to the query heads so the kernel can skip the masked upper triangle when the
    /// context is the queries alone (C = L); otherwise <paramref name="visible"/> carries the shifted triangle.
    /// </summary>
    /// <param name="q">[L, H, D]</param>
    /// <param name="k">[C, Hkv, D]</param>
    /// <param name="v">[C, Hkv, D]</param>
    /// <param name="visible">[L, C] bool, true where query i sees entry j; null when C = L (plain causal)</param>
    /// <returns>[L, H * D]</returns>
    public static Tensor Causal(Tensor q, Tensor k, Tensor v, Tensor? visible)
    {
        long l = q.size(0), h = q.size(1), d = q.size(2);
        var output = nn.functional.scaled_dot_product_attention(
            q.transpose(0, 1).unsqueeze(0), PerQueryHead(k, h), PerQueryHead(v, h), visible, 0.0, is_casual: visible is null);
        return output.squeeze(0).transpose(0, 1).reshape(l, h * d);
    }

    /// <summary>Mask for <see cref="Causal"/>: query i of L sees context entries 0 .. C-L+i; null when C = L.</summary>
    public static Tensor? CausalMask(long queries, long context, Device device) =>
        queries == context ? null : ones(queries, context, ScalarType.Bool, device: device).tril_(context - queries);

    /// <summary>[C, Hkv, D] → [1, H, C, D]; a view when every query head has its own key head.</summary>
    private static Tensor PerQueryHead(Tensor x, long heads)
    {
        long c = x.size(0), hkv = x.size(1), d = x.size(2);
        var perHead = hkv == heads ? x : x.unsqueeze(2).expand(c, hkv, heads / hkv, d).reshape(c, heads, d);
        return perHead.transpose(0, 1).unsqueeze(0);
    }
}
