using System.Runtime.CompilerServices;

namespace Peft.Kernels.Int8;

/// <summary>
/// One INT8 matrix times float activation rows, as raw memory: what every kernel variant reads and writes.
/// Semantics, for activation row m and weight row r (r &lt; Layout.Rows):
/// <code>
/// y[m, r] = WeightScales[r] · Σ_c q[r, c] · X[m, c]  (+ Bias[r])
/// </code>
/// in float32: the product with the dequantized weights, differing from libtorch's x Ŵᵀ only in summation order.
/// </summary>
internal readonly unsafe struct GemvArgs
{
    public required sbyte* Packed { get; init; }          // Int8Layout
    public required float* WeightScales { get; init; }    // [PaddedRows]
    public required Int8Layout Layout { get; init; }
    public required float* X { get; init; }               // [N, PaddedColumns], zero past Columns
    public required int N { get; init; }
    public required float* Y { get; init; }               // [N, Rows]
    public float* Bias { get; init; }                     // [Rows] or null

    /// <summary>Writes a tile's four sums for activation row m, scaled per weight row, skipping padding rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(long tile, int m, float s0, float s1, float s2, float s3)
    {
        long r0 = tile * Int8Layout.TileRows;
        float* y = Y + m * Layout.Rows;
        Put(y, r0, s0);
        Put(y, r0 + 1, s1);
        Put(y, r0 + 2, s2);
        Put(y, r0 + 3, s3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Put(float* y, long r, float sum)
    {
        if (r >= Layout.Rows) return;
        float v = sum * WeightScales[r];
        y[r] = Bias is null ? v : v + Bias[r];
    }
}
