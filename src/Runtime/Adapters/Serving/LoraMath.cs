using TorchSharp;

namespace Peft.Runtime.Adapters.Serving;

/// <summary>
/// The low-rank delta every LoRA-family method shares, written once: training runs it on parameters (under
/// autograd), serving on slot views (scaling folded into B) for prefill segments; SGMV/BGMV batch the same product.
/// </summary>
public static class LoraMath
{
    /// <returns>(x · Aᵀ) · Bᵀ: [n, out] from x [n, in], A [r, in], B [out, r].</returns>
    public static torch.Tensor Delta(torch.Tensor x, torch.Tensor a, torch.Tensor b)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.matmul(a.t()).matmul(b.t());
    }
}
