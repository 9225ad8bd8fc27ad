namespace Peft.Kernels.Float32;

/// <summary>
/// A float32 matrix times activation rows, as raw memory: y[m, r] = Σ_c W[r, c] · X[m, c] (+ Bias[r]) for activation
/// rows m &lt; N and weight rows r &lt; Rows, W's rows <see cref="WStride"/> floats apart (the matrix as loaded, or one
/// slot of an adapter pool trimmed to a rank: no packing, no second copy).
/// </summary>
internal readonly unsafe struct ProductArgs
{
    public required float* W { get; init; }       // [Rows, Columns], rows WStride apart
    public required long Rows { get; init; }
    public required long WStride { get; init; }   // ≥ Columns
    public required int Columns { get; init; }
    public required float* X { get; init; }       // [N, Columns]
    public required int N { get; init; }
    public required float* Y { get; init; }       // [N, Rows]
    public float* Bias { get; init; }             // [Rows] or null

    /// <summary>Row tiles of <see cref="ProductAvx512.TileRows"/> weight rows, the last possibly short.</summary>
    public long Tiles => (Rows + ProductAvx512.TileRows - 1) / ProductAvx512.TileRows;
}
