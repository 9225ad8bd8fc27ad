using Peft.Runtime.Models.Config;
using Peft.Runtime.Models.Weights;
using Peft.Runtime.Safetensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Models;

/// <summary>
/// Takes named tensors out of a checkpoint one at a time, checking each shape, converting to the model's dtype and
/// device, and detaching it from any dispose scope (the model owns it). Matrices come out in their resident form
/// (<see cref="WeightMatrices"/>: float, or quantized as they are taken). Peak memory is the weights already taken
/// plus one tensor in flight: never a second full copy. With <c>embeddingsFromFile</c>, a float embedding table of a
/// CPU model in the file's own dtype is not loaded at all but read by rows when looked up (<see cref="StoredMatrix"/>).
/// </summary>
internal sealed class WeightLoader(SafetensorsCheckpoint checkpoint, ScalarType dtype, Device device, WeightMatrices matrices,
    bool embeddingsFromFile = false)
{
    private readonly HashSet<string> _taken = [];
    private readonly List<ModelWeight> _weights = [];

    /// <summary>Every tensor taken and held in float, under its checkpoint name (quantized matrices are not).</summary>
    public IReadOnlyList<ModelWeight> Weights => _weights;

    public bool Has(string name) => checkpoint.TryGetInfo(name, out _);

    public Tensor Take(string name, params long[] shape)
    {
        Check(name, shape);
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

    /// <summary>A matrix [rows, columns] in its resident form for <paramref name="role"/>; the caller owns it.</summary>
    public IWeightMatrix TakeMatrix(string name, MatrixRole role, long rows, long columns) =>
        (role == MatrixRole.Embedding ? TakeStored(name, rows, columns) : null) ?? Resident(Take(name, rows, columns), role);

    /// <summary><see cref="TakeTransposed"/> in its resident form (GPT-2's Conv1D linears).</summary>
    public IWeightMatrix TakeTransposedMatrix(string name, MatrixRole role, long inFeatures, long outFeatures) =>
        Resident(TakeTransposed(name, inFeatures, outFeatures), role);

    /// <summary>
    /// A table used both as the token embedding and as the head (tied weights): one matrix when both roles are held
    /// alike, else the float table for one role and an INT8 copy for the other. The caller owns both (they may be the
    /// same object).
    /// </summary>
    public (IWeightMatrix Embedding, IWeightMatrix Head) TakeTied(string name, long rows, long columns)
    {
        var table = Take(name, rows, columns);
        bool embedding = matrices.Quantization.Quantizes(MatrixRole.Embedding), head = matrices.Quantization.Quantizes(MatrixRole.Head);
        if (embedding == head)
        {
            var shared = Resident(table, MatrixRole.Head);
            return (shared, shared);
        }
        var dense = new DenseMatrix(table);
        var quantized = matrices.QuantizeCopy(table);
        return embedding ? (quantized, dense) : (dense, quantized);
    }

    /// <summary>The table left in the file, or null where it is to be loaded (not asked for, quantized, another device,
    /// a dtype conversion, or a file that cannot be read in place).</summary>
    private StoredMatrix? TakeStored(string name, long rows, long columns)
    {
        if (!embeddingsFromFile || device.type != DeviceType.CPU || matrices.Quantization.Quantizes(MatrixRole.Embedding)) return null;
        var info = Check(name, rows, columns);
        if (info.Dtype.ToScalarType() != dtype || checkpoint.OpenRows(name) is not { } stored) return null;
        _taken.Add(name);
        return new StoredMatrix(stored);
    }

    private TensorInfo Check(string name, params long[] shape)
    {
        if (!checkpoint.TryGetInfo(name, out var info))
            throw new ModelLoadException($"weights: tensor '{name}' is missing");
        if (!info.Shape.SequenceEqual(shape))
            throw new ModelLoadException($"weights: tensor '{name}' has shape [{string.Join(", ", info.Shape)}], expected [{string.Join(", ", shape)}]");
        return info;
    }

    private IWeightMatrix Resident(Tensor weight, MatrixRole role)
    {
        var matrix = matrices.Create(weight, role);
        if (matrix is not DenseMatrix) _weights.RemoveAll(w => ReferenceEquals(w.Tensor, weight));
        return matrix;
    }

    /// <summary>Tensors the checkpoint has and the model did not take (buffers of older exports, for instance).</summary>
    public IReadOnlyList<string> Unused() => checkpoint.Names.Where(n => !_taken.Contains(n)).Order(StringComparer.Ordinal).ToArray();
}

/// <summary>A model tensor under its checkpoint name. <see cref="StoredTransposed"/>: held [out, in] but stored
/// [in, out] (GPT-2 Conv1D), so writing it back needs a transpose.</summary>
public sealed record ModelWeight(string Name, Tensor Tensor, bool StoredTransposed);
