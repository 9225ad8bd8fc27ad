namespace Peft.LoadTests.Reporting;

/// <summary>Summary of a latency sample in seconds; NaN fields for an empty sample.</summary>
internal sealed record LatencyStats(int Count, double Mean, double P50, double P90, double P99, double Max)
{
    public static LatencyStats Of(IEnumerable<double> seconds)
    {
        var p = new Percentiles(seconds);
        return new LatencyStats(p.Count, p.Mean, p.At(50), p.At(90), p.At(99), p.At(100));
    }
}
