namespace Peft.Kernels.Int8;

/// <summary>How the CPU INT8 kernels run.</summary>
internal sealed record Int8CpuOptions
{
    /// <summary>Instruction set; the widest the CPU has unless a test forces another.</summary>
    public Int8Isa Isa { get; init; } = Int8IsaSupport.Best;

    /// <summary>Threads a product may use (the model's configured thread count; one per core by default).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Products of at least this many rows dequantize the matrix a block of rows at a time and let libtorch's GEMM
    /// multiply (compute-bound); fewer rows use the INT8 kernel, which reads the weights once for all rows
    /// (bandwidth-bound). Measured crossover: docs/quantization.md.
    /// </summary>
    public int GemmRows { get; init; } = 8;

    /// <summary>
    /// Products whose weight bytes times activation rows fall below this run on the calling thread: handing work to a
    /// second thread costs microseconds (about 3 to 5 on an idle machine, tens under load), which a small product does
    /// not repay. 0 splits every product that has more than one chunk of tiles.
    /// </summary>
    public long MinParallelBytes { get; init; } = 128 << 10;

    /// <summary>Float32 bytes of one dequantized block in the GEMM path.</summary>
    public long GemmBlockBytes { get; init; } = 2 << 20;
}
