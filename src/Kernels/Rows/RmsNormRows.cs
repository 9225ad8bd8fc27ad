using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Peft.Kernels.Rows;

/// <summary>
/// Llama's RMSNorm over float32 rows: y = w · (x · r), r = 1 / sqrt(mean(x²) + eps). Every step is libtorch's float32
/// operation in its order except the sum of the squares, which is kept in double (libtorch sums float32 in its own
/// order), so r can differ by an ulp. A row's result depends on its values alone, never on the rows beside it or the
/// thread that computed it: one prompt's rows come out the same in a prefill of 128 tokens as in a decode batch.
/// </summary>
internal static unsafe class RmsNormRows
{
    private const int Lanes = 16;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(float* x, float* weight, float* y, long rows, int columns, double eps)
    {
        for (long row = 0; row < rows; row++)
        {
            float* input = x + row * columns;
            float* output = y + row * columns;
            float variance = (float)(SumOfSquares(input, columns) / columns) + (float)eps;
            float r = 1f / MathF.Sqrt(variance);
            Scale(input, weight, output, columns, r);
        }
    }

    /// <summary>Each square rounded to float32 as libtorch's x·x does, then summed in double: sixteen lanes column block
    /// by column block, the lanes in one fixed order, then the columns past the last whole block in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double SumOfSquares(float* input, int columns)
    {
        int c = 0;
        double sum = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var low = Vector512<double>.Zero;
            var high = Vector512<double>.Zero;
            for (; c + Lanes <= columns; c += Lanes)
            {
                var v = Vector512.Load(input + c);
                var (l, h) = Vector512.Widen(v * v);
                low += l;
                high += h;
            }
            sum = Vector512.Sum(low + high);
        }
        for (; c < columns; c++)
        {
            float square = input[c] * input[c];
            sum += square;
        }
        return sum;
    }

    /// <summary>w · (x · r), two float32 products, never fused into one rounding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Scale(float* input, float* weight, float* output, int columns, float r)
    {
        int c = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var scale = Vector512.Create(r);
            for (; c + Lanes <= columns; c += Lanes)
                Vector512.Store(Vector512.Load(weight + c) * (Vector512.Load(input + c) * scale), output + c);
        }
        for (; c < columns; c++) output[c] = weight[c] * (input[c] * r);
    }
}
