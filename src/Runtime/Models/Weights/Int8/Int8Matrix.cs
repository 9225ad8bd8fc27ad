using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Models.Weights.Int8;

/// <summary>
/// A matrix held as symmetric per-row INT8 (<see cref="Int8Quantizer"/>): W ≈ scale[r] · q[r, c]. Subclasses own the
/// storage layout and the kernel of one device kind; this class makes the product differentiable in x, with a backward
/// that dequantizes the matrix for the moment it needs it (no float copy outlives a call).
/// </summary>
internal abstract class Int8Matrix : IWeightMatrix
{
    protected Int8Matrix(long rows, long columns)
    {
        Rows = rows;
        Columns = columns;
    }

    public long Rows { get; }

    public long Columns { get; }

    public WeightFormat Format => WeightFormat.Int8;

    /// <summary>x Wᵀ (+ b) without autograd, in the dtype of x.</summary>
    /// <param name="x">[n, Columns]</param>
    public abstract Tensor Product(Tensor x, Tensor? bias);

    public abstract Tensor Lookup(Tensor ids, ScalarType dtype);

    public abstract Tensor ToDense(ScalarType dtype);

    public abstract IEnumerable<(string Dtype, long Bytes)> ResidentBytes();

    /// <remarks>Quantization is per row, so a block of rows of <paramref name="weight"/> quantizes on its own; both sides
    /// are compared as float32 scale · q, which is exact.</remarks>
    public bool Holds(Tensor weight, ScalarType modelDtype)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.dim() != 2 || weight.size(0) != Rows || weight.size(1) != Columns) return false;
        foreach (var (r0, n) in RowIds.Blocks(Rows, Columns))
        {
            using var scope = NewDisposeScope();
            var (values, scales) = Int8Quantizer.Quantize(weight.narrow(0, r0, n).to(modelDtype));
            var expected = values.to(ScalarType.Float32).mul_(scales.unsqueeze(1));
            var actual = Lookup(RowIds.Range(r0, n, expected.device), ScalarType.Float32).to(expected.device);
            if (!expected.eq(actual).all().item<bool>()) return false;
        }
        return true;
    }

    public Tensor Linear(Tensor x, Tensor? bias)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (!(is_grad_enabled() && x.requires_grad)) return Product(x, bias);
        var y = Int8LinearFunction.apply(x, this);
        return bias is null ? y : y.add(bias, Torch.Scalars.One);
    }

    protected abstract void Dispose(bool disposing);

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }
}
