using System.Diagnostics;

namespace Peft.LoadTests.Benchmarks;

/// <summary>Wall-clock timing helpers. Medians over repetitions, because a shared 2-core machine is noisy.</summary>
internal static class Timing
{
    public static double Seconds(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        long start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    /// <summary>CPU time of the whole process (every thread) so far, seconds.</summary>
    public static double ProcessCpuSeconds()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime.TotalSeconds;
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
