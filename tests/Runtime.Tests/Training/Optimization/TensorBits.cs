using TorchSharp;

namespace Peft.Runtime.Tests.Training.Optimization;

/// <summary>A float32 tensor's values as their bit patterns, for bit-identical comparisons (-0 ≠ +0, NaN = NaN).</summary>
internal static class TensorBits
{
    public static int[] Of(torch.Tensor t)
    {
        using var scope = torch.NewDisposeScope();
        return [.. t.detach().cpu().contiguous().data<float>().ToArray().Select(BitConverter.SingleToInt32Bits)];
    }
}
