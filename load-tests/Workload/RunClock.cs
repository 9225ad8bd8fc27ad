using System.Diagnostics;

namespace Peft.LoadTests.Workload;

/// <summary>Seconds since a run started, from the monotonic clock.</summary>
internal sealed class RunClock
{
    private readonly long _start = Stopwatch.GetTimestamp();

    public double Now => Stopwatch.GetElapsedTime(_start).TotalSeconds;

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_start);
}
