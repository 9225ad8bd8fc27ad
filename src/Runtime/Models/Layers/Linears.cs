using Peft.Runtime.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Models.Layers;

/// <summary>
/// y = x Wᵀ + b for float weights (the base's <c>DenseMatrix</c>, LoHa/LoKr's rebuilt ΔW, LoRA factors; INT8 matrices
/// split their rows over threads in their own kernel). Float32 on the CPU goes to <see cref="FloatProducts"/>; the rest
/// (autograd, other dtypes, CPUs without AVX-512) to libtorch. With few rows (decode at small batches) libtorch passes the product
/// to a BLAS call that runs on one thread however many intra-op threads there are, so a batch-1 decode step read
/// every weight on one core. Splitting W's output rows into one block per thread and running the blocks as one
/// batched product lets libtorch hand each thread its share of the weights. The same products are summed in the
/// same order within each output, so the split changes results only by the kernels' own rounding.
/// </summary>
internal static class Linears
{
    /// <summary>Rows up to which the split applies (PEFT_LINEAR_SPLIT_ROWS; 0 turns it off).</summary>
    private static readonly int SplitRows = int.TryParse(Environment.GetEnvironmentVariable("PEFT_LINEAR_SPLIT_ROWS"), out int rows) ? rows : 8;

    /// <param name="x">[rows, in]</param>
    /// <param name="weight">[out, in]</param>
    /// <param name="bias">[out] or null</param>
    /// <returns>[rows, out]</returns>
    public static Tensor Apply(Tensor x, Tensor weight, Tensor? bias)
    {
        if (FloatProducts.Applies(x, weight, bias)) return FloatProducts.Product(x, weight, bias);
        long rows = x.size(0), outFeatures = weight.size(0), inFeatures = weight.size(1);
        int parts = rows <= SplitRows && x.device_type == DeviceType.CPU && x.dim() == 2 && weight.is_contiguous() ? IntraOpThreads.Current : 1;
        if (parts <= 1 || outFeatures % parts != 0) return nn.functional.linear(x, weight, bias);
        var blocks = x.unsqueeze(0).expand(parts, rows, inFeatures).bmm(weight.view(parts, outFeatures / parts, inFeatures).transpose(1, 2));
        var y = rows == 1 ? blocks.view(1, outFeatures) : blocks.permute(1, 0, 2).reshape(rows, outFeatures);
        return bias is null ? y : y.add_(bias, Scalars.One);
    }
}
