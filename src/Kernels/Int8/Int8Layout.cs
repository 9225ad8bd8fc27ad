namespace Peft.Kernels.Int8;

/// <summary>
/// How the CPU kernels store an INT8 [rows, columns] matrix: rows in tiles of <see cref="TileRows"/>, columns in
/// groups of <see cref="GroupSize"/>, both zero-padded; tile t is one contiguous run of groups, and each group holds
/// the 64 values of each of the tile's 4 rows one after another:
/// <c>packed[t][g][r][c] = q[4t + r, 64g + c]</c>. A matrix-vector product then reads the weights as one sequential
/// stream (the hardware prefetcher keeps up with one stream far better than with one per row), and each group is one
/// 64-byte cache line per row.
/// </summary>
internal readonly record struct Int8Layout(long Rows, long Columns)
{
    public const int TileRows = 4;
    public const int GroupSize = 64;
    public const int GroupBytes = TileRows * GroupSize;

    public long RowTiles => (Rows + TileRows - 1) / TileRows;

    public int Groups => checked((int)((Columns + GroupSize - 1) / GroupSize));

    public long PaddedRows => RowTiles * TileRows;

    public int PaddedColumns => Groups * GroupSize;

    public long TileBytes => (long)Groups * GroupBytes;

    public long TotalBytes => RowTiles * TileBytes;

    /// <summary>Where q[row, column] lives in the packed buffer.</summary>
    public long Offset(long row, long column) =>
        (row / TileRows) * TileBytes + (column / GroupSize) * GroupBytes + (row % TileRows) * GroupSize + column % GroupSize;
}
