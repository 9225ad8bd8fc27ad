using TorchSharp;

namespace Peft.Runtime.Torch;

/// <summary>Whether autograd would record an op on a tensor, the test that sends an op to libtorch rather than to a
/// kernel over raw memory (which records nothing).</summary>
internal static class Autograd
{
    /// <summary>Not a tensor's flag alone: a model just trained still has weights that require grad, and under
    /// no_grad it must take the same path as the same weights reloaded.</summary>
    public static bool Records(torch.Tensor tensor) => tensor.requires_grad && torch.is_grad_enabled();
}
