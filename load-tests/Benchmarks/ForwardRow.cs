namespace Peft.LoadTests.Benchmarks;

/// <summary>
/// One cell of the forward benchmark: a model step of <see cref="Batch"/> sequences against the bare matmuls of
/// the same shapes, both the median of <see cref="Repetitions"/> runs interleaved in one process.
/// GFLOP counts the matmuls only (block linears and head), not attention.
/// </summary>
internal sealed record ForwardRow(
    string Model,
    string Phase,
    int Batch,
    int TokensPerSequence,
    int Context,
    int Repetitions,
    double StepMs,
    double TokensPerSecond,
    double MatmulGflop,
    double ModelGflops,
    double BareMatmulMs,
    double BareGflops)
{
    /// <summary>Model step speed as a fraction of the bare matmul speed (1 = nothing but matmuls).</summary>
    public double Ratio => BareMatmulMs / StepMs;
}
