namespace Peft.Kernels.Float32;

/// <summary>
/// A low-rank delta added in place, as raw memory: Y[row(m), o] += Σ_r S[m, r] · B[o, r] for m &lt; N, o &lt;
/// <see cref="Outputs"/>, r &lt; <see cref="Rank"/>, where row(m) = <see cref="Rows"/>[m], or m when Rows is null. S is
/// a LoRA shrink (x · Aᵀ), B a slot of the pool's up-projections read in place. B[o, r] is at
/// B + o · <see cref="BOutStride"/> + r · <see cref="BRankStride"/>: one of the two strides is 1, either the outputs
/// (the pool's layout: each rank's row of outputs is dense) or the ranks (a factor as PEFT stores it).
/// </summary>
internal readonly unsafe struct LowRankArgs
{
    public required float* S { get; init; }        // [N, Rank], rows SStride apart
    public required long SStride { get; init; }
    public required int N { get; init; }
    public required float* B { get; init; }
    public required long BOutStride { get; init; }
    public required long BRankStride { get; init; }
    public required int Rank { get; init; }
    public required long Outputs { get; init; }
    public required float* Y { get; init; }        // rows YStride apart, Outputs columns each
    public required long YStride { get; init; }
    public long* Rows { get; init; }               // [N] Y's row for each of S's, or null

    /// <summary>Blocks of <see cref="LowRankAvx512.BlockOutputs"/> outputs, the last possibly short.</summary>
    public long Blocks => (Outputs + LowRankAvx512.BlockOutputs - 1) / LowRankAvx512.BlockOutputs;

    /// <summary>Each rank's outputs are dense: a block's panel is read where it lies, no transpose.</summary>
    public bool RankMajor => BOutStride == 1;
}
