using Peft.Kernels.Rows;
using Peft.Runtime.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Models.Layers;

/// <summary>
/// Norms and rotary embedding of a few rows (a decode step) computed in place on tensor memory by
/// <see cref="RmsNormRows"/> and <see cref="RotateHalfRows"/>: one allocation instead of seven or eight libtorch ops,
/// each a native call, a dispatch and a tensor handle that cost more than the arithmetic on a few thousand floats.
/// At batch 1 those ops were a third of an INT8 decode step. Larger inputs, other devices and dtypes, and anything
/// autograd must see keep the tensor formula (libtorch runs it on all threads).
/// </summary>
internal static unsafe class SmallRows
{
    /// <summary>Above this many elements libtorch's threaded ops win over one thread's loop.</summary>
    public const long MaxElements = 1 << 16;

    public static Tensor? Rms(Tensor x, Tensor weight, double eps)
    {
        if (!Eligible(x) || !Eligible(weight) || weight.numel() != x.size(-1) || Autograd.Records(x) || Autograd.Records(weight)) return null;
        var y = empty_like(x);
        int columns = (int)x.size(-1);
        RmsNormRows.Apply(Floats(x), Floats(weight), Floats(y), x.numel() / columns, columns, eps);
        return y;
    }

    /// <param name="x">[T, H, D]</param>
    /// <param name="cos">[T, 1, D]</param>
    /// <param name="sin">[T, 1, D]</param>
    public static Tensor? RotateHalf(Tensor x, Tensor cos, Tensor sin)
    {
        if (x.dim() != 3 || !Eligible(x) || !Eligible(cos) || !Eligible(sin) || Autograd.Records(x) || Autograd.Records(cos) || Autograd.Records(sin)) return null;
        long tokens = x.size(0), heads = x.size(1), dim = x.size(2);
        if (cos.numel() != tokens * dim || sin.numel() != tokens * dim) return null;
        var y = empty_like(x);
        RotateHalfRows.Apply(Floats(x), Floats(cos), Floats(sin), Floats(y), tokens, (int)heads, (int)dim);
        return y;
    }

    private static bool Eligible(Tensor t) =>
        t.device_type == DeviceType.CPU && t.dtype == ScalarType.Float32 && t.numel() is > 0 and <= MaxElements && t.is_contiguous();

    private static float* Floats(Tensor t) => (float*)TensorMemory.Pointer(t);
}
