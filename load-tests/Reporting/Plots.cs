using ScottPlot;

namespace Peft.LoadTests.Reporting;

/// <summary>PNG charts (ScottPlot, rendered headless through SkiaSharp).</summary>
internal static class Plots
{
    public const int Width = 800;
    public const int Height = 500;

    /// <summary>Empirical CDF of each sample: x = latency, y = fraction of requests at or below it.</summary>
    public static void LatencyCdf(string path, string title, string xLabel, IEnumerable<(string Name, IReadOnlyList<double> Values)> series)
    {
        ArgumentNullException.ThrowIfNull(series);
        var lines = series.Where(s => s.Values.Count > 0).Select(s =>
        {
            // A step from 0 at the smallest value to 1 at the largest.
            var sorted = s.Values.Order().ToArray();
            double[] x = [sorted[0], .. sorted];
            double[] y = [0, .. Enumerable.Range(1, sorted.Length).Select(i => i / (double)sorted.Length)];
            return (s.Name, x, y);
        }).ToArray();
        Lines(path, title, xLabel, "fraction of requests", lines, markers: false, steps: true);
    }

    /// <summary>One line per series over a shared x axis (e.g. a metric against offered rate).</summary>
    public static void Lines(string path, string title, string xLabel, string yLabel, IEnumerable<(string Name, double[] X, double[] Y)> series,
        bool markers = true, bool steps = false)
    {
        ArgumentNullException.ThrowIfNull(series);
        var plot = new Plot();
        foreach (var (name, x, y) in series)
        {
            var line = plot.Add.Scatter(x, y);
            line.LegendText = name;
            line.LineWidth = 2;
            line.MarkerSize = markers ? 6 : 0;
            if (steps) line.ConnectStyle = ConnectStyle.StepHorizontal;
        }
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(Alignment.LowerRight);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        plot.SavePng(path, Width, Height);
    }
}
