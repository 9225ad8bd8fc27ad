using System.Text;
using Peft.LoadTests.Benchmarks;

namespace Peft.LoadTests.Reporting;

internal sealed record FloatKernelReport(MachineInfo Machine, FloatKernelSettings Settings, IReadOnlyList<FloatKernelRow> Rows)
{
    public static string Markdown(FloatKernelReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var table = new MarkdownTable("rows", "weights [out x in]", "hot us", "hot GFLOP/s", "streamed us", "streamed GFLOP/s", "streamed GB/s", "streamed / hot");
        foreach (var r in report.Rows)
            table.Row(r.Rows, r.Shape, r.HotUs, r.HotGflops, r.StreamedUs, r.StreamedGflops, r.StreamedGBps, r.StreamedUs / r.HotUs);
        var sb = new StringBuilder();
        sb.AppendLine(report.Machine.Markdown()).AppendLine();
        sb.AppendLine($"`{report.Machine.Command}`").AppendLine();
        sb.Append(table);
        sb.AppendLine().AppendLine($"{report.Settings.Threads} threads; medians of {report.Settings.Repetitions} repetitions. Hot: one matrix of the shape " +
            "product after product (in cache); streamed: the model's matrices of that shape in turn (each from memory), taking turns with hot. " +
            "The last row of each row count is one pass over every block linear and the head, as a decode step runs them.");
        return sb.ToString();
    }
}
