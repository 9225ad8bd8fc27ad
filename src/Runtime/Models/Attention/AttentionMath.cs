using Peft.Runtime.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Models.Attention;

/// <summary>
/// Eager scaled-dot-product attention as Hugging Face computes it (scores in the model dtype, softmax in float32),
/// with grouped-query heads handled by reshaping queries rather than copying keys.
/// </summary>
internal static class AttentionMath
{
    /// <summary>
    /// Semantics: for query i (0-based among the L queries) and context entry j,
    ///   score[h, i, j] = q[i, h] · k[j, h / G] / sqrt(D), visible iff j &lt;= C - L + i
    ///   out[i, h] = softmax_j(score[h, i, :]) · v[:, h / G]
    /// The queries are the last L entries of the context, so earlier entries (cache, prefix) are all visible.
    /// </summary>
    /// <param name="q">[L, H, D]</param>
    /// <param name="k">[C, Hkv, D]</param>
    /// <param name="v">[C, Hkv, D]</param>
    /// <returns>[L, H * D]</returns>
    public static Tensor Causal(Tensor q, Tensor k, Tensor v)
    {
        long l = q.size(0), h = q.size(1), d = q.size(2);
        long c = k.size(0), hkv = k.size(1), g = h / hkv;

        var qg = q.view(l, hkv, g, d).permute(1, 2, 0, 3);          // [Hkv, G, L, D]
        var kt = k.permute(1, 2, 0).unsqueeze(1);                    // [Hkv, 1, D, C]
        var vg = v.permute(1, 0, 2).unsqueeze(1);                    // [Hkv, 1, C, D]
        var scores = qg.matmul(kt).mul_(Scalars.Of(1.0 / Math.Sqrt(d)));   // [Hkv, G, L, C]
        if (l > 1)
        {
            // Query i sees context entries 0 .. C-L+i: mask the strict upper band shifted by C-L.
            using var future = ones(l, c, ScalarType.Bool, device: q.device).triu_(c - l + 1);
            scores = scores.masked_fill_(future, Scalars.NegativeInfinity);
        }
        var weights = scores.softmax(-1, ScalarType.Float32).to(q.dtype);
        var output = weights.matmul(vg);                              // [Hkv, G, L, D]
        return output.permute(2, 0, 1, 3).reshape(l, h * d);
    }

    /// <summary>
    /// One query per sequence against each sequence's own padded context.
    /// Semantics: out[b, h] = softmax_j(q[b, h] · k[b, j, h / G] / sqrt(D) + mask[b, j]) · v[b, :, h / G]
    /// </summary>
    /// <param name="q">[B, H, D]</param>
    /// <param name="k">[B, C, Hkv, D] (padding entries must hold finite values)</param>
    /// <param name="v">[B, C, Hkv, D]</param>
    /// <param name="padding">[B, C] bool, true where the entry is padding</param>
    /// <returns>[B, H * D]</returns>
    public static Tensor Decode(Tensor q, Tensor k, Tensor v, Tensor padding)
    {
        long b = q.size(0), h = q.size(1), d = q.size(2);
        long hkv = k.size(2), g = h / hkv;

        var qg = q.view(b, hkv, g, d);                                // [B, Hkv, G, D]
        var kt = k.permute(0, 2, 3, 1);                               // [B, Hkv, D, C]
        var vg = v.permute(0, 2, 1, 3);                               // [B, Hkv, C, D]
        var scores = qg.matmul(kt).mul_(Scalars.Of(1.0 / Math.Sqrt(d)));   // [B, Hkv, G, C]
        scores = scores.masked_fill_(padding.view(b, 1, 1, -1), Scalars.NegativeInfinity);
        var weights = scores.softmax(-1, ScalarType.Float32).to(q.dtype);
        return weights.matmul(vg).reshape(b, h * d);
    }
}
