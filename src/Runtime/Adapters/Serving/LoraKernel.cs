namespace Peft.Runtime.Adapters.Serving;

/// <summary>How single-token (decode) rows of a mixed-adapter batch apply their LoRA deltas.
/// Multi-token segments (prefill chunks) always use one matmul pair per segment.</summary>
public enum LoraKernel
{
    /// <summary>BGMV: gather each row's A and B from the pools and run two batched matmuls for all rows at once.</summary>
    Gather,

    /// <summary>SGMV: group rows by slot and run two batched matmuls over the distinct adapters, reading each adapter's
    /// weights once (straight from the pool when the slots in use form a range).</summary>
    Segment,
}
