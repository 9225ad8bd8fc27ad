using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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

    /// <summary>Writes a tile's four sums for activation row m, scaled per weight row (plus bias), skipping padding
    /// rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(long tile, int m, Vector128<float> sums)
    {
        long r0 = tile * Int8Layout.TileRows;
        float* y = Y + m * Layout.Rows + r0;
        var v = sums * Vector128.Load(WeightScales + r0);   // scales are padded to whole tiles
        if (r0 + Int8Layout.TileRows <= Layout.Rows)
        {
            if (Bias is not null) v += Vector128.Load(Bias + r0);
            v.Store(y);
            return;
        }
        for (int r = 0; r0 + r < Layout.Rows; r++) y[r] = Bias is null ? v[r] : v[r] + Bias[r0 + r];
    }
}
