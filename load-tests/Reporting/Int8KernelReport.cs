using System.Text;
using Peft.LoadTests.Benchmarks;

namespace Peft.LoadTests.Reporting;

internal sealed record Int8KernelReport(MachineInfo Machine, Int8KernelSettings Settings, IReadOnlyList<Int8KernelRow> Rows)
{
    public static string Markdown(Int8KernelReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var table = new MarkdownTable("rows", "float32 ms", "float32 GB/s", "int8 kernel ms", "int8 kernel GB/s", "int8 GEMM path ms",
            "float32 / int8 kernel", "float32 / int8 GEMM path");
        foreach (var r in report.Rows)
            table.Row(r.Rows, r.FloatMs, r.FloatGBps, r.KernelMs, r.KernelGBps, r.GemmMs, r.FloatMs / r.KernelMs, r.FloatMs / r.GemmMs);
        var sb = new StringBuilder();
        sb.AppendLine(report.Machine.Markdown()).AppendLine();
        sb.AppendLine($"`{report.Machine.Command}`").AppendLine();
        sb.Append(table);
        sb.AppendLine().AppendLine($"One pass = every block linear and the head of the bench model ({(report.Rows.Count > 0 ? report.Rows[0].Parameters : 0):N0} weights), " +
            $"{report.Settings.Threads} threads; medians of {report.Settings.Repetitions} passes per variant, variants taking turns. " +
            "GB/s counts weight bytes read (4 per weight in float32, 1 in INT8).");
        return sb.ToString();
    }
}
