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
    private readonly List<ModelWeight> _weights = [];

    /// <summary>Every tensor taken, under its checkpoint name.</summary>
    public IReadOnlyList<ModelWeight> Weights => _weights;

    public bool Has(string name) => checkpoint.TryGetInfo(name, out _);

    public Tensor Take(string name, params long[] shape)
    {
        if (!checkpoint.TryGetInfo(name, out var info))
            throw new ModelLoadException($"weights: tensor '{name}' is missing");
        if (!info.Shape.SequenceEqual(shape))
            throw new ModelLoadException($"weights: tensor '{name}' has shape [{string.Join(", ", info.Shape)}], expected [{string.Join(", ", shape)}]");
        _taken.Add(name);
        using var scope = NewDisposeScope();
        var loaded = checkpoint.Load(name, dtype, device).MoveToOuterDisposeScope().DetachFromDisposeScope();
        _weights.Add(new ModelWeight(name, loaded, StoredTransposed: false));
        return loaded;
    }

    /// <summary>A GPT-2 Conv1D weight, stored [in, out], returned as a contiguous [out, in] like every other linear.</summary>
    public Tensor TakeTransposed(string name, long inFeatures, long outFeatures)
    {
        using var scope = NewDisposeScope();
        using var stored = Take(name, inFeatures, outFeatures);
        var transposed = stored.t().contiguous().MoveToOuterDisposeScope().DetachFromDisposeScope();
        _weights[^1] = new ModelWeight(name, transposed, StoredTransposed: true);
        return transposed;
    }

    /// <summary>Tensors the checkpoint has and the model did not take (buffers of older exports, for instance).</summary>
    public IReadOnlyList<string> Unused() => checkpoint.Names.Where(n => !_taken.Contains(n)).Order(StringComparer.Ordinal).ToArray();
}

/// <summary>A model tensor under its checkpoint name. <see cref="StoredTransposed"/>: held [out, in] but stored
/// [in, out] (GPT-2 Conv1D), so writing it back needs a transpose.</summary>
public sealed record ModelWeight(string Name, Tensor Tensor, bool StoredTransposed);
