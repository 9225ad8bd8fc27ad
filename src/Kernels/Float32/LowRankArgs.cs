namespace Peft.Kernels.Float32;

/// <summary>
/// A low-rank delta added in place, as raw memory: Y[row(m), o] += Σ_r S[m, r] · B[o, r] for m &lt; N, o &lt;
/// <see cref="Outputs"/>, r &lt; <see cref="Rank"/>, where row(m) = <see cref="Rows"/>[m], or m when Rows is null. S is
/// a LoRA shrink (x · Aᵀ), B a slot of the pool's up-projections read in place (rows at the pool's maximum rank).
/// </summary>
internal readonly unsafe struct LowRankArgs
{
    public required float* S { get; init; }        // [N, Rank], rows SStride apart
    public required long SStride { get; init; }
    public required int N { get; init; }
    public required float* B { get; init; }        // [Outputs, Rank], rows BStride apart
    public required long BStride { get; init; }
    public required int Rank { get; init; }
    public required long Outputs { get; init; }
    public required float* Y { get; init; }        // rows YStride apart, Outputs columns each
    public required long YStride { get; init; }
    public long* Rows { get; init; }               // [N] Y's row for each of S's, or null

    /// <summary>Blocks of <see cref="LowRankAvx512.BlockOutputs"/> outputs, the last possibly short.</summary>
    public long Blocks => (Outputs + LowRankAvx512.BlockOutputs - 1) / LowRankAvx512.BlockOutputs;
}
