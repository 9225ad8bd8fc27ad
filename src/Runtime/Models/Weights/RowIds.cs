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

    /// <summary>[r0, r0 + n) blocks covering <paramref name="rows"/> rows of <paramref name="columns"/>, about a million
    /// elements each (4 MB of float32): comparing a matrix block by block never makes a second copy of it.</summary>
    public static IEnumerable<(long Start, long Count)> Blocks(long rows, long columns)
    {
        long block = Math.Max(1, (1L << 20) / Math.Max(1, columns));
        for (long r0 = 0; r0 < rows; r0 += block) yield return (r0, Math.Min(block, rows - r0));
    }
}
