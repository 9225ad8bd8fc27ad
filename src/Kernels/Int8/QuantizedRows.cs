namespace Peft.Kernels.Int8;

/// <summary>
/// Activation rows in the form the CPU kernels multiply: int16 values with one float scale per group of
/// <see cref="Int8Layout.GroupSize"/> columns, x ≈ scale[g] · v with scale[g] = max|x in group| / 32767 and v rounded
/// to nearest (ties to even). The error per element is at most scale[g] / 2, about 1.5e-5 of the group's largest value:
/// far below the weights' own INT8 rounding (up to 0.4% of a row's largest weight). Columns past the input are zero.
/// One implementation for every instruction set, so all kernels see identical integers.
/// </summary>
internal sealed unsafe class QuantizedRows
{
    public const float MaxLevel = 32767f;

    private short[] _values = [];
    private float[] _scales = [];

    public int Rows { get; private set; }

    public int Groups { get; private set; }

    /// <summary>[rows, groups · 64]</summary>
    public short[] Values => _values;

    /// <summary>[rows, groups]</summary>
    public float[] Scales => _scales;

    /// <summary>Quantizes <paramref name="rows"/> rows of <paramref name="columns"/> floats each (row-major), reusing
    /// this instance's buffers.</summary>
    public void Quantize(float* x, int rows, int columns, int groups)
    {
        Rows = rows;
        Groups = groups;
        int stride = groups * Int8Layout.GroupSize;
        if (_values.Length < rows * stride) _values = new short[rows * stride];
        if (_scales.Length < rows * groups) _scales = new float[rows * groups];
        for (int r = 0; r < rows; r++)
        {
            float* row = x + (long)r * columns;
            for (int g = 0; g < groups; g++)
            {
                int start = g * Int8Layout.GroupSize, count = Math.Min(Int8Layout.GroupSize, columns - start);
                var target = _values.AsSpan(r * stride + start, Int8Layout.GroupSize);
                _scales[r * groups + g] = QuantizeGroup(new ReadOnlySpan<float>(row + start, count), target);
            }
        }
    }

    private static float QuantizeGroup(ReadOnlySpan<float> x, Span<short> target)
    {
        float max = 0;
        foreach (float v in x) max = MathF.Max(max, MathF.Abs(v));
        target.Clear();
        if (max == 0 || !float.IsFinite(max))
        {
            // Non-finite input: keep the group's NaN/infinity visible in the output rather than quietly zeroing it.
            return max == 0 ? 0 : float.NaN;
        }
        float inverse = MaxLevel / max;
        for (int i = 0; i < x.Length; i++) target[i] = (short)Math.Clamp(MathF.Round(x[i] * inverse), -MaxLevel, MaxLevel);
        return max / MaxLevel;
    }
}
