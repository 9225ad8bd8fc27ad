namespace Peft.Kernels.Int8;

/// <summary>
/// Activation rows copied to a width that is a multiple of <see cref="Int8Layout.GroupSize"/>, zero-filled past the
/// input, for matrices whose column count is not (the kernels read whole groups). Reuses its buffer.
/// </summary>
internal sealed unsafe class PaddedRows
{
    private float[] _values = [];

    /// <summary>[rows, paddedColumns]; valid until the next <see cref="Copy"/>.</summary>
    public float[] Values => _values;

    public void Copy(float* x, int rows, int columns, int paddedColumns)
    {
        if (_values.Length < rows * paddedColumns) _values = new float[rows * paddedColumns];
        for (int r = 0; r < rows; r++)
        {
            var target = _values.AsSpan(r * paddedColumns, paddedColumns);
            new ReadOnlySpan<float>(x + (long)r * columns, columns).CopyTo(target);
            target[columns..].Clear();
        }
    }
}
