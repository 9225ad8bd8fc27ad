using System.Runtime.Intrinsics;

namespace Peft.Kernels.Int8;

/// <summary>The <see cref="GemvArgs"/> product in scalar C#, for CPUs without AVX2 (and as the kernels' reference).</summary>
internal static unsafe class GemvPortable
{
    public static void Tiles(in GemvArgs a, long tile0, long tile1)
    {
        var layout = a.Layout;
        int groups = layout.Groups, stride = layout.PaddedColumns;
        Span<float> acc = stackalloc float[Int8Layout.TileRows];
        for (long t = tile0; t < tile1; t++)
        {
            for (int m = 0; m < a.N; m++)
            {
                acc.Clear();
                for (int g = 0; g < groups; g++)
                {
                    float* x = a.X + (long)m * stride + g * Int8Layout.GroupSize;
                    sbyte* group = a.Packed + t * layout.TileBytes + (long)g * Int8Layout.GroupBytes;
                    for (int r = 0; r < Int8Layout.TileRows; r++)
                    {
                        sbyte* w = group + r * Int8Layout.GroupSize;
                        float sum = acc[r];
                        for (int c = 0; c < Int8Layout.GroupSize; c++) sum += w[c] * x[c];
                        acc[r] = sum;
                    }
                }
                a.Store(t, m, Vector128.Create(acc[0], acc[1], acc[2], acc[3]));
            }
        }
    }
}
