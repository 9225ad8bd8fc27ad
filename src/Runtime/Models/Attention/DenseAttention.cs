using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Models.Attention;

/// <summary>
/// Attention without a cache: every sequence of the batch attends over its own tokens of this pass, after an
/// optional per-sequence prefix (prefix tuning in training and in reference forwards). Used by training and by
/// tests as the naive reference for the paged path.
/// </summary>
public sealed class DenseAttention : IAttentionBackend
{
    private readonly IReadOnlyList<int> _queryLengths;
    private readonly Func<int, int, (Tensor Keys, Tensor Values)?>? _prefix;

    /// <param name="queryLengths">Tokens per sequence, in row order (as in <see cref="ForwardBatch.QueryLengths"/>).</param>
    /// <param name="prefix">(sequence, layer) → prefix keys and values [P, Hkv, D], or null for none.</param>
    public DenseAttention(IReadOnlyList<int> queryLengths, Func<int, int, (Tensor Keys, Tensor Values)?>? prefix = null)
    {
        _queryLengths = queryLengths;
        _prefix = prefix;
    }

    public Tensor Attend(int layer, Tensor q, Tensor k, Tensor v)
    {
        var outputs = new Tensor[_queryLengths.Count];
        long start = 0;
        for (int s = 0; s < _queryLengths.Count; s++)
        {
            long length = _queryLengths[s];
            var qs = q.narrow(0, start, length);
            var ks = k.narrow(0, start, length);
            var vs = v.narrow(0, start, length);
            if (_prefix?.Invoke(s, layer) is { } prefix)
            {
                ks = cat([prefix.Keys.to(ks.dtype), ks], 0);
                vs = cat([prefix.Values.to(vs.dtype), vs], 0);
            }
            outputs[s] = AttentionMath.Causal(qs, ks, vs);
            start += length;
        }
        return outputs.Length == 1 ? outputs[0] : cat(outputs, 0);
    }
}
