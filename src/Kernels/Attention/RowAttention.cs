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
                bool narrow = dim % 16 == 0 && dim <= 4 * 16;   // four heads' rows of a query fit in sixteen registers
                int h0 = 0;
                if (narrow)
                    for (; h0 + 4 <= group; h0 += 4) ScoresFourHeads(a.Q + (first + h0) * dim, a.Keys + offset, slots, length, stride, dim / 16, room, s + (long)h0 * room);
                if (h0 < group) Scores(a.Q + (first + h0) * dim, a.Keys + offset, slots, length, stride, dim, group - h0, room, s + (long)h0 * room);
                h0 = 0;
                for (; h0 + 4 <= group; h0 += 4)
                {
                    float* p = s + (long)h0 * room;
                    var inverses = Vector128.Create(Softmax(p, length, a.Scale), Softmax(p + room, length, a.Scale),
                        Softmax(p + 2 * room, length, a.Scale), Softmax(p + 3 * room, length, a.Scale));
                    if (narrow) MixFourHeads(a.Values + offset, slots, length, stride, dim / 16, p, room, inverses, a.Output + (first + h0) * dim);
                    else Mix4(a.Values + offset, slots, length, stride, dim, p, room, inverses, a.Output + (first + h0) * dim);
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

    /// <summary>
    /// <see cref="Scores"/> for four heads whose query rows (up to four vectors each) stay in registers: each key is read
    /// once and meets all four, one reduction tree per key for the four heads. Every score is the same sum in the same
    /// order as <see cref="Dots"/> makes it (a product's factors commute; the tree treats its four inputs alike).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScoresFourHeads(float* q, float* keys, long* slots, int length, long stride, int vectors, int room, float* scores)
    {
        int dim = vectors * 16;
        var z = Vector512<float>.Zero;
        Vector512<float> q00 = Vector512.Load(q), q01 = z, q02 = z, q03 = z;
        Vector512<float> q10 = Vector512.Load(q + dim), q11 = z, q12 = z, q13 = z;
        Vector512<float> q20 = Vector512.Load(q + 2 * dim), q21 = z, q22 = z, q23 = z;
        Vector512<float> q30 = Vector512.Load(q + 3 * dim), q31 = z, q32 = z, q33 = z;
        if (vectors > 1) (q01, q11, q21, q31) = (Vector512.Load(q + 16), Vector512.Load(q + dim + 16), Vector512.Load(q + 2 * dim + 16), Vector512.Load(q + 3 * dim + 16));
        if (vectors > 2) (q02, q12, q22, q32) = (Vector512.Load(q + 32), Vector512.Load(q + dim + 32), Vector512.Load(q + 2 * dim + 32), Vector512.Load(q + 3 * dim + 32));
        if (vectors > 3) (q03, q13, q23, q33) = (Vector512.Load(q + 48), Vector512.Load(q + dim + 48), Vector512.Load(q + 2 * dim + 48), Vector512.Load(q + 3 * dim + 48));
        for (int j = 0; j < length; j++)
        {
            float* k = keys + slots[j] * stride;
            var k0 = Vector512.Load(k);
            Vector512<float> a0 = Vector512.FusedMultiplyAdd(q00, k0, z), a1 = Vector512.FusedMultiplyAdd(q10, k0, z);
            Vector512<float> a2 = Vector512.FusedMultiplyAdd(q20, k0, z), a3 = Vector512.FusedMultiplyAdd(q30, k0, z);
            if (vectors > 1)
            {
                var k1 = Vector512.Load(k + 16);
                (a0, a1, a2, a3) = (Vector512.FusedMultiplyAdd(q01, k1, a0), Vector512.FusedMultiplyAdd(q11, k1, a1), Vector512.FusedMultiplyAdd(q21, k1, a2), Vector512.FusedMultiplyAdd(q31, k1, a3));
            }
            if (vectors > 2)
            {
                var k2 = Vector512.Load(k + 32);
                (a0, a1, a2, a3) = (Vector512.FusedMultiplyAdd(q02, k2, a0), Vector512.FusedMultiplyAdd(q12, k2, a1), Vector512.FusedMultiplyAdd(q22, k2, a2), Vector512.FusedMultiplyAdd(q32, k2, a3));
            }
            if (vectors > 3)
            {
                var k3 = Vector512.Load(k + 48);
                (a0, a1, a2, a3) = (Vector512.FusedMultiplyAdd(q03, k3, a0), Vector512.FusedMultiplyAdd(q13, k3, a1), Vector512.FusedMultiplyAdd(q23, k3, a2), Vector512.FusedMultiplyAdd(q33, k3, a3));
            }
            var sums = Reduce.Four(a0, a1, a2, a3);
            scores[j] = sums[0];
            scores[room + j] = sums[1];
            scores[2 * room + j] = sums[2];
            scores[3 * room + j] = sums[3];
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

    /// <summary>
    /// <see cref="Mix4"/> for a head of up to four whole vectors: all sixteen sums in registers at once, so each entry's
    /// probabilities are broadcast once and its value row read once, not once per vector. Each element is the same sum
    /// in the same order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MixFourHeads(float* values, long* slots, int length, long stride, int vectors, float* p, int room, Vector128<float> inverses, float* output)
    {
        int dim = vectors * 16;
        float* p0 = p, p1 = p + room, p2 = p1 + room, p3 = p2 + room;
        var z = Vector512<float>.Zero;
        Vector512<float> a00 = z, a01 = z, a02 = z, a03 = z, a10 = z, a11 = z, a12 = z, a13 = z;
        Vector512<float> a20 = z, a21 = z, a22 = z, a23 = z, a30 = z, a31 = z, a32 = z, a33 = z;
        for (int j = 0; j < length; j++)
        {
            float* v = values + slots[j] * stride;
            Vector512<float> b0 = Vector512.Create(p0[j]), b1 = Vector512.Create(p1[j]), b2 = Vector512.Create(p2[j]), b3 = Vector512.Create(p3[j]);
            var v0 = Vector512.Load(v);
            (a00, a10, a20, a30) = (Vector512.FusedMultiplyAdd(b0, v0, a00), Vector512.FusedMultiplyAdd(b1, v0, a10), Vector512.FusedMultiplyAdd(b2, v0, a20), Vector512.FusedMultiplyAdd(b3, v0, a30));
            if (vectors > 1)
            {
                var v1 = Vector512.Load(v + 16);
                (a01, a11, a21, a31) = (Vector512.FusedMultiplyAdd(b0, v1, a01), Vector512.FusedMultiplyAdd(b1, v1, a11), Vector512.FusedMultiplyAdd(b2, v1, a21), Vector512.FusedMultiplyAdd(b3, v1, a31));
            }
            if (vectors > 2)
            {
                var v2 = Vector512.Load(v + 32);
                (a02, a12, a22, a32) = (Vector512.FusedMultiplyAdd(b0, v2, a02), Vector512.FusedMultiplyAdd(b1, v2, a12), Vector512.FusedMultiplyAdd(b2, v2, a22), Vector512.FusedMultiplyAdd(b3, v2, a32));
            }
            if (vectors > 3)
            {
                var v3 = Vector512.Load(v + 48);
                (a03, a13, a23, a33) = (Vector512.FusedMultiplyAdd(b0, v3, a03), Vector512.FusedMultiplyAdd(b1, v3, a13), Vector512.FusedMultiplyAdd(b2, v3, a23), Vector512.FusedMultiplyAdd(b3, v3, a33));
            }
        }
        Store(output, vectors, inverses[0], a00, a01, a02, a03);
        Store(output + dim, vectors, inverses[1], a10, a11, a12, a13);
        Store(output + 2 * dim, vectors, inverses[2], a20, a21, a22, a23);
        Store(output + 3 * dim, vectors, inverses[3], a30, a31, a32, a33);
    }

    /// <summary>One head's weighted sums times its inverse, the first <paramref name="vectors"/> of them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* output, int vectors, float inverse, Vector512<float> s0, Vector512<float> s1, Vector512<float> s2, Vector512<float> s3)
    {
        var scale = Vector512.Create(inverse);
        (s0 * scale).Store(output);
        if (vectors > 1) (s1 * scale).Store(output + 16);
        if (vectors > 2) (s2 * scale).Store(output + 32);
        if (vectors > 3) (s3 * scale).Store(output + 48);
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
