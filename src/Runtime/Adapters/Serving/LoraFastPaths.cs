namespace Peft.Runtime.Adapters.Serving;

/// <summary>
/// Shortcuts of the slot lane that change only how a delta is computed, never what it is (up to float summation
/// order). All are on in serving; <see cref="None"/> is the plain path the shortcuts are tested and measured against.
/// </summary>
[Flags]
public enum LoraFastPaths
{
    None = 0,

    /// <summary>Rows that all use one slot take that slot's A and B directly: one product over a row range (no
    /// gather) when they are adjacent, over the gathered rows otherwise; no grouping or padding.</summary>
    OneSlot = 1,

    /// <summary>Sites that read one input (q/k/v, gate/up) shrink it once, against their A's stacked along the rank.</summary>
    SharedShrink = 2,

    /// <summary>Products stop at the largest rank among the slots in use at a site, not the pool's maximum rank.</summary>
    TrimRank = 4,

    /// <summary>With the other three, on float32 CPU tensors: each site's rows of every slot as one split over the
    /// threads, each piece of rows shrunk and expanded by one thread (<see cref="FusedSlotLane"/>), where the parts
    /// each run products of their own.</summary>
    FusedLane = 8,

    All = OneSlot | SharedShrink | TrimRank | FusedLane,
}
