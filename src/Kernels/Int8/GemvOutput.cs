using System.Runtime.CompilerServices;

namespace Peft.Kernels.Int8;

internal static unsafe class GemvOutput
{
    /// <summary>Writes a tile's four sums for activation row m, scaled per weight row, skipping padding rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(in GemvArgs a, long tile, int m, float s0, float s1, float s2, float s3)
    {
        long rows = a.Layout.Rows, r0 = tile * Int8Layout.TileRows;
        float* y = a.Y + m * rows;
        Put(a, y, rows, r0, s0);
        Put(a, y, rows, r0 + 1, s1);
        Put(a, y, rows, r0 + 2, s2);
        Put(a, y, rows, r0 + 3, s3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(in GemvArgs a, float* y, long rows, long r, float sum)
    {
        if (r >= rows) return;
        float v = sum * a.WeightScales[r];
        y[r] = a.Bias is null ? v : v + a.Bias[r];
    }
}
