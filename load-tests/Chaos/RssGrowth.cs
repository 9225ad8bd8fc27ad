namespace Peft.LoadTests.Chaos;

/// <summary>
/// Memory growth of a soak after warm-up: the median RSS of the samples in the last tenth of the run against the
/// median of those in the tenth right after warm-up (medians, so one collection or one burst does not decide).
/// </summary>
internal static class RssGrowth
{
    /// <param name="samples">(requests completed when sampled, RSS bytes), in time order.</param>
    /// <param name="warmUp">Requests before the first window starts.</param>
    /// <returns>Growth in percent; null with fewer than one sample in either window.</returns>
    public static double? Percent(IReadOnlyList<(int Done, long Rss)> samples, int warmUp, int total)
    {
        ArgumentNullException.ThrowIfNull(samples);
        int window = Math.Max(1, (total - warmUp) / 10);
        var early = samples.Where(s => s.Done >= warmUp && s.Done < warmUp + window).Select(s => s.Rss).ToArray();
        var late = samples.Where(s => s.Done >= total - window).Select(s => s.Rss).ToArray();
        if (early.Length == 0 || late.Length == 0) return null;
        double before = Median(early);
        return (Median(late) - before) / before * 100;
    }

    private static double Median(long[] values)
    {
        Array.Sort(values);
        int n = values.Length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
    }
}
