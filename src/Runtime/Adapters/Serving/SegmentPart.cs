using Peft.Runtime.Models.Layers;
using Peft.Runtime.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Adapters.Serving;

/// <summary>
/// SGMV over rows of several slots: rows grouped by slot, U distinct slots, at most m rows each (shorter groups
/// padded with any row of theirs):
///   A_u = A[slots], B_u = B[slots]      (read in place by the float32 kernel; for bmm, views when the slots form a range)
///   X   = x[padded rows] as [U, m, in]  (a view when the padded rows are a range in order)
///   Y   = (X · A_uᵀ) · B_uᵀ as [U·m, out];  output[row] += Y[its group, its position] for the real rows only.
/// Each adapter's weights are read once however many rows use it, in a fixed number of ops per site. Both products
/// run as one call of the float32 kernels over all groups where they apply: the shrink as dot products
/// (<see cref="FloatProducts.Grouped"/>), the expand added into each real row in place, padding skipped (a dot product
/// per output of rank 16 costs a horizontal reduction for one multiply-add).
/// </summary>
internal sealed class SegmentPart : SlotPart
{
    private readonly int _groups;         // U: distinct slots
    private readonly int _width;          // m: rows of the largest group
    private readonly int _firstSlot;      // the slots are FirstSlot .. FirstSlot+U-1, or -1
    private readonly long[] _slotIndex;   // [U] the slots in group order
    private readonly int _paddedStart;    // the padded rows are PaddedStart .. +U·m-1 in order, or -1
    private readonly Tensor? _paddedRows; // [U·m] input rows, groups padded by repeating their last row, when not a range
    private readonly long[]? _valid;      // [n] positions of real rows in [U·m], null when nothing is padding
    private readonly int _rowStart;       // the real rows' output rows are RowStart .. +n-1 in order, or -1
    private readonly long[] _rows;        // [n] output row of each real position, in the same order
    private readonly SlotRowGroups _byGroup;  // the real rows of each group, for the expand added in place
    private readonly Func<IEnumerable<long>, Tensor> _own;
    private Tensor? _slotTensor, _validTensor, _rowTensor;   // libtorch's fallback only: made on its first use

    /// <param name="decode">Single rows of at least two distinct slots.</param>
    public SegmentPart(IReadOnlyList<LoraSegment> decode, Func<IEnumerable<long>, Tensor> own)
    {
        var bySlot = decode.GroupBy(s => s.Slot).OrderBy(g => g.Key).ToArray();
        var slots = bySlot.Select(g => g.Key).ToArray();
        _slotIndex = [.. slots.Select(s => (long)s)];
        var groups = bySlot.Select(g => g.Select(s => (long)s.Row).ToArray()).ToArray();
        _groups = groups.Length;
        _width = groups.Max(g => g.Length);
        bool range = slots[^1] - slots[0] == slots.Length - 1;
        _firstSlot = range ? slots[0] : -1;
        _own = own;
        long[] padded = [.. groups.SelectMany(g => Enumerable.Range(0, _width).Select(j => g[Math.Min(j, g.Length - 1)]))];
        _paddedStart = RangeStart(padded);
        _paddedRows = _paddedStart >= 0 ? null : own(padded);
        long[] valid = [.. groups.SelectMany((g, i) => Enumerable.Range(0, g.Length).Select(j => (long)(i * _width + j)))];
        _valid = valid.Length == padded.Length ? null : valid;
        _rows = [.. groups.SelectMany(g => g)];
        _rowStart = RangeStart(_rows);
        _byGroup = new SlotRowGroups(_slotIndex, groups);
    }

    public override Tensor Shrink(Tensor input, Tensor a)
    {
        var x = _paddedStart >= 0 ? input.narrow(0, _paddedStart, _groups * _width) : input.index_select(0, _paddedRows!);
        var grouped = x.reshape(_groups, _width, -1);
        return FloatProducts.Grouped(grouped, a, _slotIndex) ?? grouped.bmm(Slots(a).transpose(1, 2));            // [U, m, rank·G]
    }

    public override void Expand(Tensor shrunk, Tensor b, Tensor output, int g, int groupSize)
    {
        var columns = Columns(shrunk, g, groupSize);
        if (FloatProducts.AddLowRankGroups(output, columns, b, _byGroup)) return;
        var y = (FloatProducts.Grouped(columns, b, _slotIndex) ?? columns.bmm(Slots(b).transpose(1, 2))).view(_groups * _width, -1);   // [U·m, out]
        if (_valid is not null) y = y.index_select(0, _validTensor ??= _own(_valid));
        if (_rowStart >= 0) output.narrow(0, _rowStart, y.size(0)).add_(y, Scalars.One);
        else output.index_add_(0, _rowTensor ??= _own(_rows), y, Scalars.One);
    }

    private Tensor Slots(Tensor pool) => _firstSlot >= 0 ? pool.narrow(0, _firstSlot, _groups) : pool.index_select(0, _slotTensor ??= _own(_slotIndex));

    /// <returns>r when the rows are r, r+1, r+2, ...; otherwise -1.</returns>
    private static int RangeStart(long[] rows)
    {
        for (int i = 1; i < rows.Length; i++)
            if (rows[i] != rows[0] + i) return -1;
        return (int)rows[0];
    }
}
