namespace Peft.LoadTests.Workload;

/// <summary>
/// Arrival offsets of an open-loop Poisson process: exponential gaps with mean 1/rate. Open loop means requests
/// are sent on this schedule whether or not earlier ones have finished, so queueing shows up as latency.
/// </summary>
internal static class PoissonArrivals
{
    public static IEnumerable<TimeSpan> Offsets(double ratePerSecond, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratePerSecond);
        double t = 0;
        while (true)
        {
            t += -Math.Log(1.0 - random.NextDouble()) / ratePerSecond;
            yield return TimeSpan.FromSeconds(t);
        }
    }
}
