using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Peft.Kernels.Attention;

/// <summary>
/// The <see cref="RowAttentionArgs"/> attention, one (query row, key/value head) item at a time: keys and values are read
/// in place through the row's slots, so no padded copy of the batch's contexts is made, and a short context costs only
/// its own length, not the batch's longest. A row's result depends on nothing else in the batch (its items run the same
/// operations in the same order whichever thread takes them), so a prompt row gets the same bits in any prefill chunk
/// as decoded alone.
/// </summary>
internal static unsafe class RowAttention
{
    [ThreadStatic]
    private static float[]? t_scores;

    /// <summary>Whether the vector form runs natively; otherwise the caller keeps libtorch's kernel.</summary>
    public static bool IsSupported => Vector512.IsHardwareAccelerated;

    /// <summary>Items [item0, item1) of b · KvHeads + g. The query heads sharing key/value head g go through together:
    /// each key and each value entry is read once for all of them (grouped-query attention reads it once per group,
    /// not once per head), and each head's weighted sum of values is built in registers, not through memory.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Items(in RowAttentionArgs a, long item0, long item1)
    {
        int group = a.Heads / a.KvHeads, dim = a.Dim;
        long stride = (long)a.KvHeads * dim;
        for (long item = item0; item < item1; item++)
        {
            int b = (int)(item / a.KvHeads), g = (int)(item % a.KvHeads);
            int length = a.Lengths[b];
            long* slots = a.Slots + a.Starts[b];
            int room = (length + 15) & ~15;
            var scores = t_scores is { } buffer && buffer.Length >= room * group ? buffer : (t_scores = new float[Math.Max(room * group, 256)]);
            long first = (long)b * a.Heads + (long)g * group;   // the group's first query row
            long offset = (long)g * dim;
            fixed (float* s = scores)
            {
                Scores(a.Q + first * dim, a.Keys + offset, slots, length, stride, dim, group, room, s);
                int h0 = 0;
                for (; h0 + 4 <= group; h0 += 4)
                {
                    float* p = s + (long)h0 * room;
                    var inverses = Vector128.Create(Softmax(p, length, a.Scale), Softmax(p + room, length, a.Scale),
                        Softmax(p + 2 * room, length, a.Scale), Softmax(p + 3 * room, length, a.Scale));
                    Mix4(a.Values + offset, slots, length, stride, dim, p, room, inverses, a.Output + (first + h0) * dim);
                }
                for (; h0 < group; h0++)
                {
                    float* p = s + (long)h0 * room;
                    Mix1(a.Values + offset, slots, length, stride, dim, p, Softmax(p, length, a.Scale), a.Output + (first + h0) * dim);
                }
            }
        }
    }

    /// <summary>Each head's q · k_j into its row of <paramref name="scores"/> (rows <paramref name="room"/> apart): four
    /// keys at a time share the query's loads and one reduction tree, a single key goes through the same tree; the keys
    /// are read once for every head of the group.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Scores(float* q, float* keys, long* slots, int length, long stride, int dim, int group, int room, float* scores)
    {
        int j = 0;
        for (; j + 4 <= length; j += 4)
        {
            float* k0 = keys + slots[j] * stride, k1 = keys + slots[j + 1] * stride;
            float* k2 = keys + slots[j + 2] * stride, k3 = keys + slots[j + 3] * stride;
            for (int h = 0; h < group; h++) Dots(q + (long)h * dim, k0, k1, k2, k3, dim).Store(scores + (long)h * room + j);
        }
        for (; j < length; j++)
        {
            float* k = keys + slots[j] * stride;
            for (int h = 0; h < group; h++) scores[(long)h * room + j] = Dots(q + (long)h * dim, k, k, k, k, dim).ToScalar();
        }
    }

    /// <summary>Scales one head's scores and turns them into unnormalised probabilities in place, over whole vectors (the
    /// padding past the context is -inf, whose exponential is 0).</summary>
    /// <returns>The inverse of their sum, which the weighted sum of values is multiplied by.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Softmax(float* scores, int length, float scale)
    {
        int padded = (length + 15) & ~15;
        var scaleV = Vector512.Create(scale);
        var maxV = Vector512.Create(float.NegativeInfinity);
        for (int j = length; j < padded; j++) scores[j] = float.NegativeInfinity;
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
        return 1f / Vector512.Sum(sumV);
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

    /// <summary>Four heads' outputs (rows <paramref name="dim"/> apart from <paramref name="output"/>): Σ_j p_h[j] ·
    /// value_j, each element summed over the context in order from zero with one fused multiply-add per entry, then
    /// times the head's inverse sum: the same operations, in the same order, as one head at a time through memory,
    /// here in registers, and each value entry read once for the four.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Mix4(float* values, long* slots, int length, long stride, int dim, float* p, int room, Vector128<float> inverses, float* output)
    {
        float* p0 = p, p1 = p + room, p2 = p1 + room, p3 = p2 + room;
        int c = 0;
        for (; c + 16 <= dim; c += 16)
        {
            var z = Vector512<float>.Zero;
            Vector512<float> a0 = z, a1 = z, a2 = z, a3 = z;
            for (int j = 0; j < length; j++)
            {
                var v = Vector512.Load(values + slots[j] * stride + c);
                a0 = Vector512.FusedMultiplyAdd(Vector512.Create(p0[j]), v, a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.Create(p1[j]), v, a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.Create(p2[j]), v, a2);
                a3 = Vector512.FusedMultiplyAdd(Vector512.Create(p3[j]), v, a3);
            }
            (a0 * Vector512.Create(inverses[0])).Store(output + c);
            (a1 * Vector512.Create(inverses[1])).Store(output + dim + c);
            (a2 * Vector512.Create(inverses[2])).Store(output + 2 * dim + c);
            (a3 * Vector512.Create(inverses[3])).Store(output + 3 * dim + c);
        }
        for (int h = 0; h < 4; h++)
            MixTail(values + c, slots, length, stride, dim - c, p + (long)h * room, inverses[h], output + (long)h * dim + c);
    }

    /// <summary><see cref="Mix4"/> for one head.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Mix1(float* values, long* slots, int length, long stride, int dim, float* p, float inverse, float* output)
    {
        int c = 0;
        for (; c + 16 <= dim; c += 16)
        {
            var a0 = Vector512<float>.Zero;
            for (int j = 0; j < length; j++)
                a0 = Vector512.FusedMultiplyAdd(Vector512.Create(p[j]), Vector512.Load(values + slots[j] * stride + c), a0);
            (a0 * Vector512.Create(inverse)).Store(output + c);
        }
        MixTail(values + c, slots, length, stride, dim - c, p, inverse, output + c);
    }

    /// <summary>The <paramref name="count"/> columns past the last whole vector, one at a time, in the same order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MixTail(float* values, long* slots, int length, long stride, int count, float* p, float inverse, float* output)
    {
        for (int c = 0; c < count; c++)
        {
            float sum = 0;
            for (int j = 0; j < length; j++) sum = MathF.FusedMultiplyAdd(p[j], values[slots[j] * stride + c], sum);
            output[c] = sum * inverse;
        }
    }
}
