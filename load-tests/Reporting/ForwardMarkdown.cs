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
        var ratios = Int8Ratios(report.Rows);
        if (ratios.RowCount > 0) sb.AppendLine().AppendLine("INT8 against float, same model, same run (tokens/s ratio):").AppendLine().Append(ratios);
        foreach (var note in report.Notes) sb.AppendLine().AppendLine($"Note: {note}");
        return sb.ToString();
    }

    private static MarkdownTable Int8Ratios(IReadOnlyList<ForwardRow> rows)
    {
        var table = new MarkdownTable("model", "phase", "batch", "float tokens/s", "int8 tokens/s", "int8 / float");
        for (int i = 0; i < rows.Count; i++)
        {
            var q = rows[i];
            if (!q.Model.EndsWith(" int8", StringComparison.Ordinal)) continue;
            string model = q.Model[..^" int8".Length];
            // The float turn just before (a batch size listed twice runs twice): pairs measured seconds apart.
            var f = rows.Take(i).LastOrDefault(r => r.Model == model && r.Phase == q.Phase && r.Batch == q.Batch);
            if (f is not null) table.Row(model, q.Phase, q.Batch, f.TokensPerSecond, q.TokensPerSecond, q.TokensPerSecond / f.TokensPerSecond);
        }
        return table;
    }
}
