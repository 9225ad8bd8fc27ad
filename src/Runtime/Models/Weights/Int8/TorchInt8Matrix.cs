using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Models.Weights.Int8;

/// <summary>
/// An INT8 matrix on a device without our kernels (CUDA): values [rows, columns] int8 and scales [rows] float32 stay
/// resident; each product dequantizes the matrix to the activation dtype and runs libtorch's matmul. TorchSharp binds
/// no INT8 matmul (libtorch's <c>_int_mm</c> and <c>_weight_int8pack_mm</c> are not exposed), so this saves memory, not
/// time: a decode step reads int8 and writes and reads the dequantized copy. Works on any device, so CPU tests cover it.
/// </summary>
internal sealed class TorchInt8Matrix : Int8Matrix
{
    private readonly Tensor _values;    // [rows, columns] int8
    private readonly Tensor _scales;    // [rows] float32

    private TorchInt8Matrix(Tensor values, Tensor scales) : base(values.size(0), values.size(1))
    {
        _values = values;
        _scales = scales;
    }

    public static TorchInt8Matrix Quantize(Tensor weight)
    {
        var (values, scales) = Int8Quantizer.Quantize(weight);
        return new TorchInt8Matrix(values.DetachFromDisposeScope(), scales.DetachFromDisposeScope());
    }

    public override Tensor Product(Tensor x, Tensor? bias)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return nn.functional.linear(x, Dequantize(x.dtype), bias).MoveToOuterDisposeScope();
    }

    public override Tensor Lookup(Tensor ids, ScalarType dtype)
    {
        ArgumentNullException.ThrowIfNull(ids);
        using var scope = NewDisposeScope();
        var index = ids.to(_values.device);
        var rows = _values.index_select(0, index).to(dtype);
        return rows.mul_(_scales.index_select(0, index).to(dtype).unsqueeze(1)).MoveToOuterDisposeScope();
    }

    public override Tensor ToDense(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        return Dequantize(dtype).MoveToOuterDisposeScope();
    }

    private Tensor Dequantize(ScalarType dtype) => _values.to(dtype).mul_(_scales.to(dtype).unsqueeze(1));

    public override IEnumerable<(string Dtype, long Bytes)> ResidentBytes() =>
        [("int8", _values.NumberOfElements), ("float32", _scales.NumberOfElements * sizeof(float))];

    protected override void Dispose(bool disposing)
    {
        if (!disposing) return;
        _values.Dispose();
        _scales.Dispose();
    }
}
