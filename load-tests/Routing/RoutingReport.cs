using System.Text;
using Peft.LoadTests.Reporting;

namespace Peft.LoadTests.Routing;

/// <summary>The simulation's results: every policy at every rate, a markdown table and two plots.</summary>
internal sealed record RoutingReport(RoutingSettings Settings, IReadOnlyList<RoutingResult> Results)
{
    public string Markdown()
    {
        var s = Settings;
        var text = new StringBuilder();
        text.AppendLine("# Routing simulation").AppendLine();
        text.AppendLine($"{s.Replicas} replicas, {s.Adapters} adapters with Zipf({s.Alpha}) popularity, {s.Requests} Poisson requests per run "
            + $"(prompt {s.PromptTokens}, output {s.OutputTokens} tokens), {s.Slots} LoRA slots and {s.HostAdapters} host-tier adapters per replica, "
            + $"metrics scraped every {s.ScrapeMs} ms, seed {s.Seed}. Step costs: {s.StepMs} ms + {s.DecodeRowMs} ms per decode row + "
            + $"{s.PrefillTokenMs} ms per prompt token; slot load {s.SlotLoadMs} ms; disk → host {s.HostLoadMs} ms.").AppendLine();
        var table = new MarkdownTable("rate (req/s)", "policy", "slot hit rate", "slot loads", "TTFT p50 ms", "TTFT p90 ms", "TTFT p99 ms", "busiest / mean routed");
        foreach (var r in Results)
            table.Row(r.Rate, r.Policy, Math.Round(r.SlotHitRate, 3), r.SlotLoads, Math.Round(r.TtftP50Ms), Math.Round(r.TtftP90Ms), Math.Round(r.TtftP99Ms), Math.Round(r.MaxOverMeanRouted, 2));
        text.Append(table).AppendLine();
        text.AppendLine("![slot hit rate](routing-hit-rate.png)").AppendLine();
        text.AppendLine("![TTFT p50](routing-ttft-p50.png) ![TTFT p90](routing-ttft-p90.png)");
        return text.ToString();
    }

    public void Plot(string directory)
    {
        var policies = Results.GroupBy(r => r.Policy).ToArray();
        (string, double[], double[]) Series(IGrouping<string, RoutingResult> g, Func<RoutingResult, double> y) =>
            (g.Key, [.. g.Select(r => r.Rate)], [.. g.Select(y)]);
        Plots.Lines(Path.Combine(directory, "routing-hit-rate.png"), "LoRA slot hit rate by routing policy", "offered rate (requests/s)",
            "admissions finding their adapter in a slot", policies.Select(g => Series(g, r => r.SlotHitRate)));
        Plots.Lines(Path.Combine(directory, "routing-ttft-p50.png"), "Time to first token, median", "offered rate (requests/s)", "ms",
            policies.Select(g => Series(g, r => r.TtftP50Ms)));
        Plots.Lines(Path.Combine(directory, "routing-ttft-p90.png"), "Time to first token, 90th percentile", "offered rate (requests/s)", "ms",
            policies.Select(g => Series(g, r => r.TtftP90Ms)));
    }
}
