using Peft.Runtime.Models.Config;
using Peft.Runtime.Safetensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Models;

/// <summary>
/// Takes named tensors out of a checkpoint one at a time, checking each shape, converting to the model's dtype and
/// device, and detaching it from any dispose scope (the model owns it). Peak memory is the weights already taken
/// plus one tensor in flight: never a second full copy.
/// </summary>
internal sealed class WeightLoader(SafetensorsCheckpoint checkpoint, ScalarType dtype, Device device)
{
    private readonly HashSet<string> _taken = [];

    public bool Has(string name) => checkpoint.TryGetInfo(name, out _);

    public Tensor Take(string name, params long[] shape)
    {
        if (!checkpoint.TryGetInfo(name, out var info))
            throw new ModelLoadException($"weights: tensor '{name}' is missing");
        if (!info.Shape.SequenceEqual(shape))
            throw new ModelLoadException($"weights: tensor '{name}' has shape [{string.Join(", ", info.Shape)}], expected [{string.Join(", ", shape)}]");
        _taken.Add(name);
        using var scope = NewDisposeScope();
        return checkpoint.Load(name, dtype, device).MoveToOuterDisposeScope().DetachFromDisposeScope();
    }

    /// <summary>A GPT-2 Conv1D weight, stored [in, out], returned as a contiguous [out, in] like every other linear.</summary>
    public Tensor TakeTransposed(string name, long inFeatures, long outFeatures)
    {
        using var scope = NewDisposeScope();
        using var stored = Take(name, inFeatures, outFeatures);
        return stored.t().contiguous().MoveToOuterDisposeScope().DetachFromDisposeScope();
    }

    /// <summary>Tensors the checkpoint has and the model did not take (buffers of older exports, for instance).</summary>
    public IReadOnlyList<string> Unused() => checkpoint.Names.Where(n => !_taken.Contains(n)).Order(StringComparer.Ordinal).ToArray();
}
