using TorchSharp;

namespace Peft.Runtime.Models.Weights;

/// <summary>
/// A frozen [rows, columns] matrix of the base model in its resident form, with the operations the model needs of
/// it: as a linear layer's weight (y = x Wᵀ + b) and as an embedding table (rows by id). Whether the values are
/// float or INT8, and which kernel multiplies them, is this type's business alone: adapters see the same inputs and
/// outputs either way. Owns its tensors.
/// </summary>
public interface IWeightMatrix : IDisposable
{
    long Rows { get; }

    long Columns { get; }

    WeightFormat Format { get; }

    /// <summary>x Wᵀ + b in the dtype of <paramref name="x"/>, differentiable in <paramref name="x"/> (never in W).</summary>
    /// <param name="x">[n, Columns]</param>
    /// <param name="bias">[Rows] or null</param>
    /// <returns>[n, Rows]</returns>
    torch.Tensor Linear(torch.Tensor x, torch.Tensor? bias);

    /// <summary>Rows by index (an embedding lookup) in <paramref name="dtype"/>.</summary>
    /// <param name="ids">[n] int64</param>
    /// <returns>[n, Columns]</returns>
    torch.Tensor Lookup(torch.Tensor ids, torch.ScalarType dtype);

    /// <summary>The whole matrix [Rows, Columns] in <paramref name="dtype"/>, owned by the caller: for a float matrix of
    /// that dtype an alias of the stored tensor (no copy; never write to it), otherwise a dequantized copy.</summary>
    torch.Tensor ToDense(torch.ScalarType dtype);

    /// <summary>Whether <paramref name="weight"/> [Rows, Columns], loaded in <paramref name="modelDtype"/>, is held as this
    /// matrix: for a float matrix, equal to it; for a quantized one, quantizing to it. Reads both a block of rows at a
    /// time (an adapter file's copy of the embedding or the head is checked against the base with it).</summary>
    bool Holds(torch.Tensor weight, torch.ScalarType modelDtype);

    /// <summary>Bytes held, by storage dtype ("float32", "int8", ...).</summary>
    IEnumerable<(string Dtype, long Bytes)> ResidentBytes();
}
