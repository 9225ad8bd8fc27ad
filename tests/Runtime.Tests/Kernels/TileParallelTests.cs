using Peft.Kernels;

namespace Peft.Runtime.Tests.Kernels;

/// <summary>
/// The tile splitter the CPU kernels share: every tile runs exactly once, in non-empty chunks, whatever the thread
/// count and however the participants interleave (the kernels' own tests check that results do not depend on it).
/// </summary>
public sealed class TileParallelTests
{
    [Fact]
    public void Every_tile_runs_once_in_non_empty_chunks()
    {
        foreach (long tiles in new long[] { 0, 1, 7, 8, 9, 100, 1001, 8000 })
            foreach (int threads in new[] { 1, 2, 3, 8 })
            {
                var runs = new int[tiles];
                int empty = 0;
                TileParallel.For(tiles, threads, (start, end) =>
                {
                    if (end <= start) Interlocked.Increment(ref empty);
                    for (long t = start; t < end; t++) Interlocked.Increment(ref runs[t]);
                });
                Assert.Equal(0, empty);
                Assert.True(runs.All(r => r == 1), $"{tiles} tiles on {threads} threads: counts {string.Join(",", runs.Distinct())}");
            }
    }
}
