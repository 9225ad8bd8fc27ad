namespace Peft.Kernels.Attention;

/// <summary>
/// Query rows, each against its own context in a paged float32 cache, as raw memory (a decode row's context is its
/// sequence; a prefill row's, its sequence up to itself, so rows of one chunk share a run of slots with lengths growing
/// by one). For row b and query head h (key/value head g = h / (Heads / KvHeads)), with context entries at slots
/// s_0 .. s_{C-1}:
/// <code>
/// Output[b, h] = Σ_j softmax_j(Scale · Q[b, h] · Keys[s_j, g]) · Values[s_j, g]
/// </code>
/// </summary>
internal readonly unsafe struct RowAttentionArgs
{
    public required float* Q { get; init; }            // [B, Heads, Dim]
    public required float* Keys { get; init; }         // [slots, KvHeads, Dim], one layer of the cache
    public required float* Values { get; init; }       // [slots, KvHeads, Dim]
    public required long* Slots { get; init; }         // the rows' context slots, runs that rows may share
    public required int* Starts { get; init; }         // [B] where row b's context begins in Slots
    public required int* Lengths { get; init; }        // [B] its context length (the new entry included)
    public required int Heads { get; init; }
    public required int KvHeads { get; init; }
    public required int Dim { get; init; }
    public required float Scale { get; init; }
    public required float* Output { get; init; }       // [B, Heads * Dim]
}
