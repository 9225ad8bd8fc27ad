using Peft.Runtime.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Models.Weights;

/// <summary>A matrix held as it was loaded, in the model dtype; libtorch multiplies it (split over the intra-op
/// threads when there are few rows, see <see cref="Linears"/>).</summary>
internal sealed class DenseMatrix(Tensor weight) : IWeightMatrix
{
    private readonly Tensor _weight = weight;   // [rows, columns]

    public long Rows => _weight.size(0);

    public long Columns => _weight.size(1);

    public WeightFormat Format => WeightFormat.Float;

    /// <summary>The stored tensor (pretraining sets requires_grad on it; nothing else writes it).</summary>
    public Tensor Weight => _weight;

    public Tensor Linear(Tensor x, Tensor? bias) => Linears.Apply(x, _weight, bias);

    public Tensor Lookup(Tensor ids, ScalarType dtype) => _weight.index_select(0, ids).to(dtype);

    public Tensor ToDense(ScalarType dtype) => _weight.dtype == dtype ? _weight.alias() : _weight.to(dtype);

    public bool Holds(Tensor weight, ScalarType modelDtype)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (!weight.shape.SequenceEqual(_weight.shape)) return false;
        using var scope = NewDisposeScope();
        return weight.eq(_weight.to(weight.dtype, weight.device)).all().item<bool>();
    }

    public IEnumerable<(string Dtype, long Bytes)> ResidentBytes() => [(DtypeNames.Of(_weight.dtype), _weight.NumberOfElements * _weight.ElementSize)];

    public void Dispose() => _weight.Dispose();
}
