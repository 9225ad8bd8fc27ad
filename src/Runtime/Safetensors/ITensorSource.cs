using System.Diagnostics.CodeAnalysis;
using TorchSharp;

namespace Peft.Runtime.Safetensors;

/// <summary>
/// Named tensors on disk, read one at a time: one safetensors file (<see cref="SafetensorsFile"/>) or a model
/// directory of one or more shards (<see cref="SafetensorsCheckpoint"/>).
/// </summary>
public interface ITensorSource
{
    /// <summary>Free-form string metadata (for a single file its <c>__metadata__</c>, e.g. <c>{"format": "pt"}</c>).</summary>
    IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Every tensor name, in ordinal order.</summary>
    IReadOnlyList<string> Names { get; }

    bool TryGetInfo(string name, [MaybeNullWhen(false)] out TensorInfo info);

    /// <summary>
    /// Reads one tensor's bytes into a new tensor of the stored dtype, then converts it to <paramref name="dtype"/>
    /// and <paramref name="device"/> when given (default: stored dtype, CPU).
    /// </summary>
    /// <remarks>
    /// Lifetime: the result follows TorchSharp's scope rules like any torch factory function. Inside a
    /// <see cref="torch.NewDisposeScope"/> it belongs to that scope (keep it with <c>MoveToOuterDisposeScope</c> or
    /// <c>DetachFromDisposeScope</c>); outside any scope the caller owns it and disposes it. Intermediate tensors
    /// (the stored-dtype copy before a conversion) are freed before this returns.
    /// </remarks>
    /// <exception cref="KeyNotFoundException">No tensor of that name.</exception>
    /// <exception cref="NotSupportedException">The stored dtype has no TorchSharp equivalent (U16, U32, U64, F8).</exception>
    /// <exception cref="SafetensorsFormatException">The file changed on disk since it was opened, or a BOOL byte is not 0/1.</exception>
    torch.Tensor Load(string name, torch.ScalarType? dtype = null, torch.Device? device = null);
}
