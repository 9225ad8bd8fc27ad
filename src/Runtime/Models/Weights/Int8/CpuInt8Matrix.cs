using Peft.Kernels;
using Peft.Kernels.Int8;
using Peft.Runtime.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Models.Weights.Int8;

/// <summary>
/// An INT8 matrix on the CPU, packed in <see cref="Int8Layout"/> tiles, multiplied in place on tensor memory.
/// Semantics: y = x Ŵᵀ (+ b) in float32, Ŵ = scale · q the dequantized weights; activations are never rounded.
/// Products of few rows (decode) run the INT8 kernel of the CPU's widest instruction set, which reads the weights once
/// for all rows (bandwidth-bound); products of many rows (prefill) dequantize a block of weight rows at a time and let
/// libtorch's GEMM multiply (compute-bound). Both differ only in float summation order, so a row's result depends on
/// what else is in the batch no more than with float weights (whose GEMM also rounds by shape).
/// Safe to call from several threads at once (the padding buffer is per thread).
/// </summary>
internal sealed unsafe class CpuInt8Matrix : Int8Matrix
{
    [ThreadStatic]
    private static PaddedRows? t_padded;

    private readonly Tensor _packed;    // [Layout.TotalBytes] int8
    private readonly Tensor _scales;    // [Layout.PaddedRows] float32
    private readonly sbyte* _q;
    private readonly float* _s;

    private CpuInt8Matrix(Tensor packed, Tensor scales, Int8Layout layout, Int8CpuOptions options) : base(layout.Rows, layout.Columns)
    {
        _packed = packed;
        _scales = scales;
        Layout = layout;
        Options = options;
        _q = (sbyte*)TensorMemory.Pointer(packed);
        _s = (float*)TensorMemory.Pointer(scales);
    }

    public Int8Layout Layout { get; }

    public Int8CpuOptions Options { get; }

    /// <summary>Quantizes and packs a float matrix [rows, columns] (any float dtype, CPU).</summary>
    public static CpuInt8Matrix Quantize(Tensor weight, Int8CpuOptions options)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(options);
        var (values, scales) = Int8Quantizer.Quantize(weight);
        using (values)
        using (scales)
        {
            var layout = new Int8Layout(weight.size(0), weight.size(1));
            var packed = zeros(layout.TotalBytes, ScalarType.Int8).DetachFromDisposeScope();
            var paddedScales = zeros(layout.PaddedRows, ScalarType.Float32).DetachFromDisposeScope();
            using (var head = paddedScales.narrow(0, 0, layout.Rows)) head.copy_(scales);
            Pack(layout, (sbyte*)TensorMemory.Pointer(values), (sbyte*)TensorMemory.Pointer(packed));
            return new CpuInt8Matrix(packed, paddedScales, layout, options);
        }
    }

    private static void Pack(Int8Layout layout, sbyte* plain, sbyte* packed)
    {
        for (long r = 0; r < layout.Rows; r++)
            for (long c0 = 0; c0 < layout.Columns; c0 += Int8Layout.GroupSize)
            {
                long count = Math.Min(Int8Layout.GroupSize, layout.Columns - c0);
                Buffer.MemoryCopy(plain + r * layout.Columns + c0, packed + layout.Offset(r, c0), count, count);
            }
    }

    /// <summary>The same matrix with other kernel options (tests force each instruction set and path).</summary>
    public CpuInt8Matrix With(Int8CpuOptions options) => new(_packed.alias().DetachFromDisposeScope(), _scales.alias().DetachFromDisposeScope(), Layout, options);

    /// <remarks>Runs about sixty times per decoded token, so it makes as few native calls as it can; the tensors it
    /// makes belong to the caller's dispose scope (every forward runs inside one).</remarks>
    public override Tensor Product(Tensor x, Tensor? bias)
    {
        ArgumentNullException.ThrowIfNull(x);
        var dtype = x.dtype;
        var input = dtype == ScalarType.Float32 ? x : x.to(ScalarType.Float32);
        bool matrix = x.dim() == 2;
        if (!matrix) input = input.reshape(-1, Columns);
        if (!input.is_contiguous()) input = input.contiguous();
        if (input.size(1) != Columns) throw new ArgumentException($"input has {input.size(1)} columns, the matrix {Columns}", nameof(x));
        var b = bias is null || (bias.dtype == ScalarType.Float32 && bias.is_contiguous()) ? bias : bias.to(ScalarType.Float32).contiguous();
        long n = input.size(0);
        var y = empty([n, Rows], ScalarType.Float32);
        if (n > 0)
        {
            if (n < Options.GemmRows) Gemv(input, y, b);
            else Gemm(input, y, b);
        }
        if (!matrix) y = y.reshape([.. x.shape[..^1], Rows]);
        return dtype == ScalarType.Float32 ? y : y.to(dtype);
    }

    private void Gemv(Tensor x, Tensor y, Tensor? bias)
    {
        int n = checked((int)y.size(0));
        var input = (float*)TensorMemory.Pointer(x);
        if (Columns == Layout.PaddedColumns)
        {
            Gemv(input, n, y, bias);
            return;
        }
        var padded = t_padded ??= new PaddedRows();
        padded.Copy(input, n, (int)Columns, Layout.PaddedColumns);
        fixed (float* rows = padded.Values) Gemv(rows, n, y, bias);
    }

    private void Gemv(float* x, int n, Tensor y, Tensor? bias)
    {
        var args = new GemvArgs
        {
            Packed = _q, WeightScales = _s, Layout = Layout, X = x, N = n,
            Y = (float*)TensorMemory.Pointer(y), Bias = bias is null ? null : (float*)TensorMemory.Pointer(bias),
        };
        var isa = Options.Isa;
        int threads = Layout.TotalBytes * n < Options.MinParallelBytes ? 1 : Options.Threads;
        TileParallel.For(Layout.RowTiles, threads, (t0, t1) => Int8Kernels.Gemv(isa, args, t0, t1));
    }

    private void Gemm(Tensor x, Tensor y, Tensor? bias)
    {
        long blockRows = Math.Clamp(Options.GemmBlockBytes / (4 * Columns) / Int8Layout.TileRows * Int8Layout.TileRows, Int8Layout.TileRows, Layout.PaddedRows);
        using var block = empty([blockRows, Columns], ScalarType.Float32);
        var target = (float*)TensorMemory.Pointer(block);
        for (long r0 = 0; r0 < Rows; r0 += blockRows)
        {
            long count = Math.Min(blockRows, Rows - r0);
            Unpack(r0, count, target);
            using var weights = block.narrow(0, 0, count);
            using var transposed = weights.t();
            using var part = x.matmul(transposed);
            using var columns = y.narrow(1, r0, count);
            columns.copy_(part);
        }
        if (bias is not null) y.add_(bias, Scalars.One);
    }

    /// <summary>Dequantizes rows [r0, r0 + count) (r0 a multiple of the tile height) into row-major float32.</summary>
    private void Unpack(long r0, long count, float* target)
    {
        var isa = Options.Isa;
        var layout = Layout;
        sbyte* q = _q;
        float* s = _s;
        long end = r0 + count;
        TileParallel.For((count + Int8Layout.TileRows - 1) / Int8Layout.TileRows, Options.Threads, (t0, t1) =>
        {
            for (long r = r0 + t0 * Int8Layout.TileRows; r < Math.Min(end, r0 + t1 * Int8Layout.TileRows); r++)
                Int8Unpack.Row(isa, layout, q, s, r, target + (r - r0) * layout.Columns);
        });
    }

    public override Tensor Lookup(Tensor ids, ScalarType dtype)
    {
        ArgumentNullException.ThrowIfNull(ids);
        using var scope = NewDisposeScope();
        var index = ids.to(ScalarType.Int64).cpu().contiguous();
        long n = index.numel();
        var result = empty([n, Columns], ScalarType.Float32);
        if (n > 0)
        {
            var idPointer = (long*)TensorMemory.Pointer(index);
            var target = (float*)TensorMemory.Pointer(result);
            for (long i = 0; i < n; i++)
            {
                long row = idPointer[i];
                if ((ulong)row >= (ulong)Rows) throw new ArgumentOutOfRangeException(nameof(ids), $"index {row} is outside [0, {Rows})");
                Int8Unpack.Row(Options.Isa, Layout, _q, _s, row, target + i * Columns);
            }
        }
        return result.to(dtype).MoveToOuterDisposeScope();
    }

    public override Tensor ToDense(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var result = empty([Rows, Columns], ScalarType.Float32);
        Unpack(0, Rows, (float*)TensorMemory.Pointer(result));
        return result.to(dtype).MoveToOuterDisposeScope();
    }

    public override IEnumerable<(string Dtype, long Bytes)> ResidentBytes() =>
        [("int8", Layout.TotalBytes), ("float32", Layout.PaddedRows * sizeof(float))];

    protected override void Dispose(bool disposing)
    {
        if (!disposing) return;
        _packed.Dispose();
        _scales.Dispose();
    }
}
