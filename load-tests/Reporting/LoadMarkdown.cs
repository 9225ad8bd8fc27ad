using System.Text;

namespace Peft.LoadTests.Reporting;

internal static class LoadMarkdown
{
    public static string Render(LoadReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var s = report.Settings;
        var sb = new StringBuilder();
        sb.AppendLine(report.Machine.Markdown()).AppendLine();
        sb.AppendLine($"`{report.Machine.Command}`").AppendLine();
        sb.AppendLine($"Target: {s.Target}. Poisson arrivals, Zipf({s.Alpha}) over {s.Adapters} adapters, prompt lengths {s.PromptLength}, output lengths " +
            $"{s.OutputLength}, {(s.DurationSeconds is { } d ? $"{d} s" : "")}{(s.DurationSeconds is not null && s.MaxRequests is not null ? " or " : "")}" +
            $"{(s.MaxRequests is { } m ? $"{m} requests" : "")}, drain {s.DrainSeconds} s. SLO: TTFT ≤ {s.Slo.Ttft} s, TPOT ≤ {s.Slo.Tpot * 1e3:0} ms, " +
            $"end-to-end ≤ {s.Slo.EndToEnd} s.").AppendLine();
        sb.Append(Table(report.Results));
        if (report.Plots.Count > 0)
        {
            sb.AppendLine();
            foreach (var plot in report.Plots) sb.AppendLine($"![{plot}]({plot})");
        }
        return sb.ToString();
    }

    public static MarkdownTable Table(IEnumerable<ScenarioReport> results)
    {
        var table = new MarkdownTable("scenario", "rate/s", "sent", "ok", "errors", "req/s", "out tok/s",
            "TTFT p50", "TTFT p90", "TTFT p99", "TPOT p50 ms", "TPOT p90 ms", "TPOT p99 ms", "E2E p50", "E2E p90", "E2E p99", "SLO");
        foreach (var r in results)
        {
            string errors = string.Join(", ", r.Statuses.Where(s => s.Key != Targets.TargetOutcome.Ok).Select(s => $"{s.Key} {s.Value}"));
            table.Row(r.Scenario, r.Rate, r.Sent, r.Completed, errors.Length == 0 ? "0" : errors, r.RequestsPerSecond, r.OutputTokensPerSecond,
                r.Ttft.P50, r.Ttft.P90, r.Ttft.P99, r.Tpot.P50 * 1e3, r.Tpot.P90 * 1e3, r.Tpot.P99 * 1e3,
                r.EndToEnd.P50, r.EndToEnd.P90, r.EndToEnd.P99, double.IsNaN(r.Slo.All) ? "—" : $"{r.Slo.All * 100:0}%");
        }
        return table;
    }
}
