using Peft.Kernels;
using Peft.Kernels.Rows;
using Peft.Runtime.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Models.Layers;

/// <summary>
/// Norms, rotary embedding and the gated product of float32 rows computed on tensor memory by
/// <see cref="RmsNormRows"/>, <see cref="RotateHalfRows"/> and <see cref="SiluProductRows"/>: one allocation and one
/// pass instead of two to eight libtorch ops, each a native call, a dispatch, a tensor handle and a pass over memory.
/// At batch 1 those ops were a third of an INT8 decode step; in a 128-token prefill they were a tenth of the step and
/// ran no faster on two threads than on one. Large inputs split their rows over the intra-op threads. Other devices
/// and dtypes, and anything autograd must see, keep the tensor formula.
/// </summary>
internal static unsafe class FloatRows
{
    /// <summary>Below this many elements the rows run on the calling thread: waking another costs microseconds, more
    /// than a pass over a few hundred kilobytes saves.</summary>
    internal const long MinParallelElements = 1 << 17;

    public static Tensor? Rms(Tensor x, Tensor weight, double eps)
    {
        if (!Eligible(x) || !Eligible(weight) || weight.numel() != x.size(-1)) return null;
        var y = empty_like(x);
        int columns = (int)x.size(-1);
        nint input = Floats(x), scale = Floats(weight), output = Floats(y);
        Split(x.numel() / columns, columns, (r0, r1) =>
            RmsNormRows.Apply(At(input, r0 * columns), (float*)scale, At(output, r0 * columns), r1 - r0, columns, eps));
        return y;
    }

    /// <param name="x">[T, H, D]</param>
    /// <param name="cos">[T, 1, D]</param>
    /// <param name="sin">[T, 1, D]</param>
    public static Tensor? RotateHalf(Tensor x, Tensor cos, Tensor sin)
    {
        if (x.dim() != 3 || !Eligible(x) || !Eligible(cos) || !Eligible(sin)) return null;
        long tokens = x.size(0), heads = x.size(1), dim = x.size(2);
        if (cos.numel() != tokens * dim || sin.numel() != tokens * dim) return null;
        var y = empty_like(x);
        nint input = Floats(x), c = Floats(cos), s = Floats(sin), output = Floats(y);
        long perToken = heads * dim;
        Split(tokens, perToken, (t0, t1) =>
            RotateHalfRows.Apply(At(input, t0 * perToken), At(c, t0 * dim), At(s, t0 * dim), At(output, t0 * perToken), t1 - t0, (int)heads, (int)dim));
        return y;
    }

    /// <summary>silu(<paramref name="gate"/>) · <paramref name="up"/>, both [.., columns] of one shape.</summary>
    public static Tensor? SiluProduct(Tensor gate, Tensor up)
    {
        if (!Eligible(gate) || !Eligible(up) || gate.dim() == 0 || up.dim() != gate.dim()) return null;
        for (int d = 0; d < gate.dim(); d++)
            if (up.size(d) != gate.size(d)) return null;
        var y = empty_like(gate);
        int columns = (int)gate.size(-1);
        nint g = Floats(gate), u = Floats(up), output = Floats(y);
        Split(gate.numel() / columns, columns, (r0, r1) =>
            SiluProductRows.Apply(At(g, r0 * columns), At(u, r0 * columns), At(output, r0 * columns), r1 - r0, columns));
        return y;
    }

    /// <summary>Rows [r0, r1) to <paramref name="body"/>, over the intra-op threads when there are enough elements.
    /// Every row is computed alone, so the split changes nothing in the result.</summary>
    private static void Split(long rows, long rowElements, Action<long, long> body)
    {
        int threads = rows * rowElements < MinParallelElements ? 1 : IntraOpThreads.Current;
        TileParallel.For(rows, threads, body);
    }

    /// <summary>Float32 on the CPU, dense, not empty, and nothing autograd would record.</summary>
    private static bool Eligible(Tensor t) =>
        t.device_type == DeviceType.CPU && t.dtype == ScalarType.Float32 && t.numel() > 0 && t.is_contiguous() && !Autograd.Records(t);

    // Addresses travel into the row lambdas as nint: a lambda cannot capture a pointer.
    private static nint Floats(Tensor t) => (nint)TensorMemory.Pointer(t);

    private static float* At(nint floats, long offset) => (float*)floats + offset;
}
