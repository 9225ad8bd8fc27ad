using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Peft.Runtime.Models.Layers;

/// <summary>
/// A step's rows grouped by adapter slot, for SGMV's expand (<see cref="FloatProducts.AddLowRankGroups"/>):
/// group u is the rows of slot <see cref="Slot"/>(u), in order. The row indices live in one array on the pinned heap,
/// so the kernel reads them where they are for as long as this object lives.
/// </summary>
internal sealed unsafe class SlotRowGroups
{
    private readonly long[] _slots;
    private readonly int[] _starts;     // [U + 1] where each group's rows begin in _rows
    private readonly long[] _rows;      // pinned: every group's output rows, group after group

    public SlotRowGroups(IReadOnlyList<long> slots, IReadOnlyList<IReadOnlyList<long>> rows)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(rows.Count, slots.Count, nameof(rows));
        _slots = [.. slots];
        _starts = new int[slots.Count + 1];
        for (int u = 0; u < rows.Count; u++) _starts[u + 1] = _starts[u] + rows[u].Count;
        _rows = GC.AllocateUninitializedArray<long>(_starts[^1], pinned: true);
        for (int u = 0; u < rows.Count; u++)
            for (int j = 0; j < rows[u].Count; j++) _rows[_starts[u] + j] = rows[u][j];
        Widest = rows.Count == 0 ? 0 : rows.Max(g => g.Count);
    }

    /// <summary>U, the number of groups.</summary>
    public int Count => _slots.Length;

    /// <summary>Rows of the largest group.</summary>
    public int Widest { get; }

    public long Slot(int group) => _slots[group];

    public int RowCount(int group) => _starts[group + 1] - _starts[group];

    /// <summary>Rows in all groups.</summary>
    public int TotalRows => _rows.Length;

    /// <summary>The group's output rows where they lie (pinned; valid while this object is reachable).</summary>
    public long* Rows(int group) => (long*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_rows)) + _starts[group];

    /// <summary>Every slot below <paramref name="slots"/> and every row below <paramref name="rows"/>.</summary>
    public bool Within(long slots, long rows)
    {
        foreach (long s in _slots)
            if (s < 0 || s >= slots) return false;
        foreach (long r in _rows)
            if (r < 0 || r >= rows) return false;
        return true;
    }
}
