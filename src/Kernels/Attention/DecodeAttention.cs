using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Peft.Kernels.Attention;

/// <summary>
/// The <see cref="DecodeArgs"/> attention, one (sequence, key/value head) item at a time: keys and values are read in
/// place through the sequence's slots, so no padded copy of the batch's contexts is made, and a short context costs
/// only its own length, not the batch's longest. A sequence's result depends on nothing else in the batch (its items
/// run the same operations in the same order whichever thread takes them).
/// </summary>
internal static unsafe class DecodeAttention
{
    [ThreadStatic]
    private static float[]? t_scores;

    /// <summary>Whether the vector form runs natively; otherwise the caller keeps libtorch's kernel.</summary>
    public static bool IsSupported => Vector512.IsHardwareAccelerated;

    /// <summary>Items [item0, item1) of b · KvHeads + g.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Items(in DecodeArgs a, long item0, long item1)
    {
        int group = a.Heads / a.KvHeads, dim = a.Dim;
        for (long item = item0; item < item1; item++)
        {
            int b = (int)(item / a.KvHeads), g = (int)(item % a.KvHeads);
            int length = a.Lengths[b];
            long* slots = a.Slots + a.Starts[b];
            int room = (length + 15) & ~15;
            var scores = t_scores is { } buffer && buffer.Length >= room ? buffer : (t_scores = new float[Math.Max(room, 256)]);
            fixed (float* s = scores)
                for (int h = g * group; h < (g + 1) * group; h++)
                {
                    long row = (long)b * a.Heads + h;
                    Head(a.Q + row * dim, a.Keys, a.Values, slots, length, (long)a.KvHeads * dim, (long)g * dim, dim, a.Scale, s, a.Output + row * dim);
                }
        }
    }

    /// <param name="stride">Floats from one slot's entry to the next.</param>
    /// <param name="offset">Floats from a slot's entry to its key/value head.</param>
    /// <param name="scores">Room for the context rounded up to whole vectors.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Head(float* q, float* keys, float* values, long* slots, int length, long stride, long offset, int dim, float scale, float* scores, float* output)
    {
        // Four keys at a time share the query's loads and one reduction tree; a single key goes through the same tree.
        int j = 0;
        for (; j + 4 <= length; j += 4)
            Dots(q, keys + slots[j] * stride + offset, keys + slots[j + 1] * stride + offset,
                keys + slots[j + 2] * stride + offset, keys + slots[j + 3] * stride + offset, dim).Store(scores + j);
        for (; j < length; j++)
        {
            float* k = keys + slots[j] * stride + offset;
            scores[j] = Dots(q, k, k, k, k, dim).ToScalar();
        }

        // Softmax over whole vectors: the padding past the context is -inf, whose exponential is 0.
        int padded = (length + 15) & ~15;
        var scaleV = Vector512.Create(scale);
        var maxV = Vector512.Create(float.NegativeInfinity);
        for (; j < padded; j++) scores[j] = float.NegativeInfinity;
        for (int c = 0; c < padded; c += 16)
        {
            var s = Vector512.Load(scores + c) * scaleV;
            s.Store(scores + c);
            maxV = Vector512.Max(maxV, s);
        }
        var max = Vector512.Create(Max(maxV));
        var sumV = Vector512<float>.Zero;
        for (int c = 0; c < padded; c += 16)
        {
            var p = Vector512.Exp(Vector512.Load(scores + c) - max);
            p.Store(scores + c);
            sumV += p;
        }

        new Span<float>(output, dim).Clear();
        for (j = 0; j < length; j++) Axpy(scores[j], values + slots[j] * stride + offset, output, dim);
        float inverse = 1f / Vector512.Sum(sumV);
        for (int c = 0; c < dim; c++) output[c] *= inverse;
    }

    /// <summary>q · k0 .. q · k3, each reduced by <see cref="Reduce.Four"/>'s tree, the columns past whole vectors added
    /// after.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Dots(float* q, float* k0, float* k1, float* k2, float* k3, int dim)
    {
        var z = Vector512<float>.Zero;
        Vector512<float> a0 = z, a1 = z, a2 = z, a3 = z;
        int c = 0;
        for (; c + 16 <= dim; c += 16)
        {
            var v = Vector512.Load(q + c);
            a0 = Vector512.FusedMultiplyAdd(v, Vector512.Load(k0 + c), a0);
            a1 = Vector512.FusedMultiplyAdd(v, Vector512.Load(k1 + c), a1);
            a2 = Vector512.FusedMultiplyAdd(v, Vector512.Load(k2 + c), a2);
            a3 = Vector512.FusedMultiplyAdd(v, Vector512.Load(k3 + c), a3);
        }
        var sums = Reduce.Four(a0, a1, a2, a3);
        if (c == dim) return sums;
        return Vector128.Create(sums[0] + Tail(q, k0, c, dim), sums[1] + Tail(q, k1, c, dim), sums[2] + Tail(q, k2, c, dim), sums[3] + Tail(q, k3, c, dim));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Tail(float* a, float* b, int from, int to)
    {
        float sum = 0;
        for (int c = from; c < to; c++) sum = MathF.FusedMultiplyAdd(a[c], b[c], sum);
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Max(Vector512<float> v)
    {
        var half = Vector256.Max(v.GetLower(), v.GetUpper());
        var quarter = Vector128.Max(half.GetLower(), half.GetUpper());
        return MathF.Max(MathF.Max(quarter[0], quarter[1]), MathF.Max(quarter[2], quarter[3]));
    }

    /// <summary>y += alpha · x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Axpy(float alpha, float* x, float* y, int n)
    {
        int c = 0;
        var scale = Vector512.Create(alpha);
        for (; c + 16 <= n; c += 16) Vector512.FusedMultiplyAdd(scale, Vector512.Load(x + c), Vector512.Load(y + c)).Store(y + c);
        for (; c < n; c++) y[c] = MathF.FusedMultiplyAdd(alpha, x[c], y[c]);
    }
}
