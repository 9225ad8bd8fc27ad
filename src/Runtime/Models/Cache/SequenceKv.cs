namespace Peft.Runtime.Models.Cache;

/// <summary>
/// One sequence's block table: which pool blocks hold its cache entries, in order. Entry i lives in slot
/// blocks[i / blockSize] * blockSize + i % blockSize. Entries are virtual prefix tokens (prefix tuning) followed
/// by prompt and generated tokens.
/// </summary>
public sealed class SequenceKv
{
    private readonly List<int> _blocks = [];

    public SequenceKv(int blockSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        BlockSize = blockSize;
    }

    public int BlockSize { get; }

    /// <summary>Entries written and committed.</summary>
    public int Length { get; private set; }

    public int Capacity => _blocks.Count * BlockSize;

    public IReadOnlyList<int> Blocks => _blocks;

    public static int BlocksFor(int entries, int blockSize) => (entries + blockSize - 1) / blockSize;

    /// <summary>Blocks needed beyond those held to grow by <paramref name="entries"/>.</summary>
    public int BlocksNeededFor(int entries) => Math.Max(0, BlocksFor(Length + entries, BlockSize) - _blocks.Count);

    /// <summary>Makes room for <paramref name="entries"/> more entries: all the blocks or none.</summary>
    public bool TryReserve(int entries, BlockAllocator allocator) => allocator.TryAllocate(BlocksNeededFor(entries), _blocks);

    public void Commit(int entries)
    {
        if (Length + entries > Capacity) throw new InvalidOperationException($"commit of {entries} entries past capacity {Capacity} (length {Length})");
        Length += entries;
    }

    public long Slot(int index) => (long)_blocks[index / BlockSize] * BlockSize + index % BlockSize;

    /// <summary>Returns every block to the pool; the sequence is empty afterwards (preemption or finish).</summary>
    public void Release(BlockAllocator allocator)
    {
        allocator.Release(_blocks);
        _blocks.Clear();
        Length = 0;
    }
}
