namespace Peft.Kernels.Rows;

/// <summary>
/// Llama's RMSNorm over float32 rows, for products too small to be worth libtorch's eight ops (a decode step runs two
/// per layer): y = w · (x · r), r = 1 / sqrt(mean(x²) + eps). Every step is libtorch's float32 operation in its order
/// except the sum of the squares, which is kept in double (libtorch sums float32 in its own order), so r can differ
/// by an ulp.
/// </summary>
internal static unsafe class RmsNormRows
{
    public static void Apply(float* x, float* weight, float* y, long rows, int columns, double eps)
    {
        for (long row = 0; row < rows; row++)
        {
            float* input = x + row * columns;
            float* output = y + row * columns;
            double squares = 0;
            for (int c = 0; c < columns; c++)
            {
                float square = input[c] * input[c];
                squares += square;
            }
            float variance = (float)(squares / columns) + (float)eps;
            float r = 1f / MathF.Sqrt(variance);
            for (int c = 0; c < columns; c++) output[c] = weight[c] * (input[c] * r);
        }
    }
}
