namespace Peft.Kernels;

/// <summary>
/// Splits a range of row tiles over up to <c>threads</c> threads. The range is cut into several chunks per thread and
/// the calling thread takes part, so a worker the OS does not schedule soon (a shared machine) delays nothing: the
/// others take its chunks.
/// </summary>
internal static class TileParallel
{
    private const int ChunksPerThread = 4;
    private const long MinChunkTiles = 8;

    public static void For(long tiles, int threads, Action<long, long> body)
    {
        if (tiles <= 0) return;
        long chunk = Math.Max(MinChunkTiles, (tiles + (long)threads * ChunksPerThread - 1) / ((long)threads * ChunksPerThread));
        int chunks = (int)((tiles + chunk - 1) / chunk);
        if (threads <= 1 || chunks <= 1)
        {
            body(0, tiles);
            return;
        }
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads },
            c => body(c * chunk, Math.Min(tiles, (c + 1) * chunk)));
    }
}
