using Peft.Runtime.Models.Weights;
using Peft.Runtime.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Adapters.Dora;

/// <summary>
/// DoRA's norms over a base matrix in its resident form. A float matrix of the model dtype is read in place, so the
/// norms are exactly <see cref="DoraMath.WeightNorm"/>'s. Any other form (INT8) is dequantized a block of rows at a
/// time and the block dropped before the next: the norms are those of the dequantized weight, which is the weight
/// the model runs, and no float copy of the whole matrix ever exists (the head and the embedding are the largest).
/// </summary>
public static class BaseNorms
{
    /// <summary>About 4 MB of float32 per block.</summary>
    public const long DefaultBlockElements = 1L << 20;

    /// <returns>‖W + s·B·A‖ per row of W [rows, columns] (a linear's or the head's [out, in]), [rows] in
    /// <paramref name="dtype"/>; never requires grad.</returns>
    public static Tensor Rows(IWeightMatrix weight, ScalarType dtype, Tensor a, Tensor b, Scalar scaling, long blockElements = DefaultBlockElements)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(b);
        if (weight.Format == WeightFormat.Float)
        {
            using var dense = weight.ToDense(dtype);
            return DoraMath.WeightNorm(dense, a, b, scaling);
        }
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var parts = new List<Tensor>();
        long block = RowsPerBlock(weight, blockElements);
        for (long r0 = 0; r0 < weight.Rows; r0 += block)
        {
            using var blockScope = NewDisposeScope();
            long n = Math.Min(block, weight.Rows - r0);
            var rows = Dequantize(weight, r0, n, dtype, b.device);
            parts.Add(DoraMath.WeightNorm(rows, a, b.narrow(0, r0, n), scaling).MoveToOuterDisposeScope());
        }
        return cat(parts, 0).MoveToOuterDisposeScope();
    }

    /// <returns>‖Eᵀ + s·B·A‖ per hidden channel for an embedding E [vocab, hidden] (PEFT's DoRA embedding treats it as
    /// fan_in_fan_out; A [r, vocab], B [hidden, r]), [hidden] in <paramref name="dtype"/>; never requires grad.</returns>
    public static Tensor Columns(IWeightMatrix embedding, ScalarType dtype, Tensor a, Tensor b, Scalar scaling, long blockElements = DefaultBlockElements)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (embedding.Format == WeightFormat.Float)
        {
            using var dense = embedding.ToDense(dtype);
            using var transposed = dense.t();
            return DoraMath.WeightNorm(transposed, a, b, scaling);
        }
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var squares = zeros(embedding.Columns, ScalarType.Float32, b.device);
        long block = RowsPerBlock(embedding, blockElements);
        for (long v0 = 0; v0 < embedding.Rows; v0 += block)
        {
            using var blockScope = NewDisposeScope();
            long n = Math.Min(block, embedding.Rows - v0);
            var rows = Dequantize(embedding, v0, n, dtype, b.device);
            // Rows v0..v0+n of (Eᵀ + s·B·A)ᵀ = E + s·(A[:, v0..])ᵀ·Bᵀ.
            var combined = rows.add(a.narrow(1, v0, n).t().matmul(b.t()), scaling).to(ScalarType.Float32);
            squares.add_(combined.mul(combined).sum([0]), Scalars.One);
        }
        return squares.sqrt_().to(dtype).MoveToOuterDisposeScope();
    }

    private static long RowsPerBlock(IWeightMatrix weight, long blockElements) => Math.Max(1, blockElements / Math.Max(1, weight.Columns));

    /// <summary>Rows [r0, r0 + n) dequantized, [n, columns] in <paramref name="dtype"/> on <paramref name="device"/>.</summary>
    private static Tensor Dequantize(IWeightMatrix weight, long r0, long n, ScalarType dtype, Device device)
    {
        using var ids = RowIds.Range(r0, n, device);
        return weight.Lookup(ids, dtype).to(device);
    }
}
