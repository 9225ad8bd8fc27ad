using TorchSharp;

namespace Peft.Runtime.Models;

/// <summary>
/// The tokens of one forward pass, flattened across sequences: sequence i owns rows
/// [sum(QueryLengths[..i]), +QueryLengths[i]). A decode row (one token) and a prefill chunk (many) can share a pass.
/// The caller owns the tensors (and the dispose scope they live in).
/// </summary>
public sealed class ForwardBatch
{
    /// <summary>[tokens] int64. Rows that an embedding hook replaces (virtual tokens) may hold any valid id.</summary>
    public required torch.Tensor TokenIds { get; init; }

    /// <summary>[tokens] int64: each token's position (RoPE angle or GPT-2 position row).</summary>
    public required torch.Tensor Positions { get; init; }

    /// <summary>New tokens per sequence, in row order. Sums to the number of rows.</summary>
    public required IReadOnlyList<int> QueryLengths { get; init; }

    /// <summary>[rows] int64: which token rows need logits. Null: every row.</summary>
    public torch.Tensor? LogitRows { get; init; }

    public int TokenCount => (int)TokenIds.size(0);
}
