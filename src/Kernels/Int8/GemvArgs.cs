namespace Peft.Kernels.Int8;

/// <summary>
/// One INT8 matrix times quantized activation rows, as raw memory: what every kernel variant reads and writes.
/// Semantics, for activation row m and weight row r (r &lt; Layout.Rows):
/// <code>
/// y[m, r] = WeightScales[r] · Σ_g XScales[m, g] · Σ_{c in group g} q[r, c] · X[m, c]  (+ Bias[r])
/// </code>
/// where every inner sum over a group is exact in int32 and the outer sum is float32.
/// </summary>
internal readonly unsafe struct GemvArgs
{
    public required sbyte* Packed { get; init; }          // Int8Layout
    public required float* WeightScales { get; init; }    // [PaddedRows]
    public required Int8Layout Layout { get; init; }
    public required short* X { get; init; }               // [N, PaddedColumns]
    public required float* XScales { get; init; }         // [N, Groups]
    public required int N { get; init; }
    public required float* Y { get; init; }               // [N, Rows]
    public float* Bias { get; init; }                     // [Rows] or null
}
