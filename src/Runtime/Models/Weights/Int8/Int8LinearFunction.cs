using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace Peft.Runtime.Models.Weights.Int8;

/// <summary>
/// y = x Wᵀ for an INT8 W as an autograd node: forward runs the matrix's kernel, backward gives dL/dx = dL/dy · W with
/// W dequantized only inside the backward call. W itself never requires grad (the base is frozen), and nothing but
/// the matrix reference is saved, so a training step holds no float copy of the base.
/// </summary>
internal sealed class Int8LinearFunction : SingleTensorFunction<Int8LinearFunction>
{
    private const string MatrixKey = "matrix";

    public override string Name => "Int8Linear";

    public override Tensor forward(AutogradContext ctx, params object[] vars)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(vars);
        var x = (Tensor)vars[0];
        var matrix = (Int8Matrix)vars[1];
        ctx.save_data(MatrixKey, matrix);
        return matrix.Product(x, null);
    }

    public override List<Tensor> backward(AutogradContext ctx, Tensor grad_output)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(grad_output);
        var matrix = (Int8Matrix)ctx.get_data(MatrixKey);
        using var dense = matrix.ToDense(grad_output.dtype);
        return [grad_output.matmul(dense), null!];
    }
}
