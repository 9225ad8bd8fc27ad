namespace Peft.Runtime.Models.Cache;

/// <summary>
/// Hands out fixed-size KV blocks from a pool. Engine-thread only. Blocks are reused LIFO so a warm block (still in
/// CPU caches) is the next one handed out.
/// </summary>
public sealed class BlockAllocator
{
    private readonly Stack<int> _free;

    public BlockAllocator(int blockCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockCount, 1);
        BlockCount = blockCount;
        _free = new Stack<int>(Enumerable.Range(0, blockCount).Reverse());
    }

    public int BlockCount { get; }

    public int FreeCount => _free.Count;

    public int UsedCount => BlockCount - _free.Count;

    /// <summary>Takes <paramref name="count"/> blocks, all or none.</summary>
    public bool TryAllocate(int count, List<int> into)
    {
        if (count > _free.Count) return false;
        for (int i = 0; i < count; i++) into.Add(_free.Pop());
        return true;
    }

    public void Release(IEnumerable<int> blocks)
    {
        foreach (int block in blocks)
        {
            if ((uint)block >= (uint)BlockCount) throw new ArgumentOutOfRangeException(nameof(blocks), $"block {block} is not in this pool");
            _free.Push(block);
        }
    }
}
