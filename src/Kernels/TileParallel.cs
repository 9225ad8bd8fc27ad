namespace Peft.Kernels;

/// <summary>
/// Splits a range of row tiles over up to <c>threads</c> threads. Each participant, the calling thread included,
/// claims the next chunk from a shared counter, and chunks shrink as the range runs out (a part of what is left per
/// claim, guided scheduling): a worker the OS does not schedule soon (a shared machine) delays nothing, since the
/// others take what it has not claimed, and the last chunks are small, so no thread waits long at the end for another
/// finishing a large one. Fixed chunks of an eighth of the range cost 8% of a 32-row decode's matmul time on 2 threads
/// and 12% at 128 rows against this (paired runs, docs/benchmarks.md). The other participants are the threads of
/// <see cref="WorkerTeam.Shared"/>, awake between the parts of a step; while another split holds the team (a second
/// engine in the process, a split inside a split), the thread pool's.
/// </summary>
internal static class TileParallel
{
    private const long MinChunkTiles = 4;

    public static void For(long tiles, int threads, Action<long, long> body) => For(tiles, threads, MinChunkTiles, body);

    /// <param name="minChunk">The fewest tiles a claim takes: 1 where a tile is itself a large piece of work (an
    /// adapter's whole factors), so that few of them still reach every thread.</param>
    public static void For(long tiles, int threads, long minChunk, Action<long, long> body)
    {
        if (tiles <= 0) return;
        if (threads <= 1 || tiles < 2 * minChunk)
        {
            body(0, tiles);
            return;
        }
        var claims = new Claims(tiles, threads, minChunk);
        void Share()
        {
            while (claims.Next(out long start, out long end)) body(start, end);
        }
        if (!WorkerTeam.Shared.TryRun(threads, Share))   // another part is running (a second engine, a nested split)
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ => Share());
    }

    /// <summary>The shared counter: a participant that starts after the others finished finds nothing left.</summary>
    private sealed class Claims(long tiles, int threads, long minChunk)
    {
        private long _next;

        public bool Next(out long start, out long end)
        {
            while (true)
            {
                start = Volatile.Read(ref _next);
                if (start >= tiles)
                {
                    end = start;
                    return false;
                }
                end = Math.Min(tiles, start + Math.Max(minChunk, (tiles - start) / (2L * threads)));
                if (Interlocked.CompareExchange(ref _next, end, start) == start) return true;
            }
        }
    }
}
