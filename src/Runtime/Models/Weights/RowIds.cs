using static TorchSharp.torch;

namespace Peft.Runtime.Models.Weights;

/// <summary>Row indices for reading a matrix a block at a time (torch.arange would make a hidden Scalar per call).</summary>
internal static class RowIds
{
    /// <returns>[start, start + count) as int64 on <paramref name="device"/>, in the caller's dispose scope.</returns>
    public static Tensor Range(long start, long count, Device device)
    {
        var ids = new long[count];
        for (long i = 0; i < count; i++) ids[i] = start + i;
        return tensor(ids, ScalarType.Int64, device);
    }
}
