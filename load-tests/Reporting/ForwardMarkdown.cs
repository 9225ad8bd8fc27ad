using System.Text;
using Peft.LoadTests.Benchmarks;

namespace Peft.LoadTests.Reporting;

internal static class ForwardMarkdown
{
    public static string Render(ForwardReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var table = new MarkdownTable("model", "phase", "batch", "tokens/seq", "context", "step ms", "tokens/s",
            "model GFLOP/s", "bare matmul GFLOP/s", "ratio");
        foreach (var r in report.Rows)
            table.Row(r.Model, r.Phase, r.Batch, r.TokensPerSequence, r.Context, r.StepMs, r.TokensPerSecond, r.ModelGflops, r.BareGflops, r.Ratio);
        var sb = new StringBuilder();
        sb.AppendLine(report.Machine.Markdown()).AppendLine();
        sb.AppendLine($"`{report.Machine.Command}`").AppendLine();
        sb.Append(table);
        sb.AppendLine().AppendLine($"Medians of {report.Settings.Repetitions} prefill passes and {report.Settings.DecodeSteps} decode steps per cell " +
            $"after {report.Settings.Warmup} warm-up; GFLOP counts block linears and the head (attention excluded); ratio = bare matmul time / model step time.");
        foreach (var note in report.Notes) sb.AppendLine().AppendLine($"Note: {note}");
        return sb.ToString();
    }
}
