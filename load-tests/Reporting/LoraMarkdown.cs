using System.Text;
using Peft.LoadTests.Benchmarks;

namespace Peft.LoadTests.Reporting;

internal static class LoraMarkdown
{
    public static string Render(LoraReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var s = report.Settings;
        var sb = new StringBuilder();
        sb.AppendLine(report.Machine.Markdown()).AppendLine();
        sb.AppendLine($"`{report.Machine.Command}`").AppendLine();
        sb.AppendLine($"Closed loop, {s.Requests} requests at concurrency {s.Concurrency}, prompts of {s.PromptLength} tokens, {s.NewTokens} new tokens each, " +
            $"{s.Adapters} rank-{s.Rank} LoRAs on all 7 linears; medians of {s.Repetitions} interleaved repetitions " +
            $"(one-at-a-time: {s.OneAtATimeRepetitions}). Output tokens/s over the whole wave (prefill included); decode = after each request's first token. " +
            "Runs with a failed request are listed below with the error and left out of the medians. " +
            "mixed/base (paired): the median over repetitions of mixed against the base wave run just before it on the same engine.").AppendLine();

        var summary = new MarkdownTable("kernel", "base tok/s", "mixed tok/s", "single tok/s", "one-at-a-time tok/s", "mixed/base (paired)", "mixed/base per repetition",
            "mixed/base (medians)", "mixed/base (decode phase)", "mixed/one-at-a-time", "single/base");
        foreach (var k in report.Summary)
            summary.Row(k.Kernel, k.BaseTokensPerSecond, k.MixedTokensPerSecond, k.SingleTokensPerSecond, k.OneAtATimeTokensPerSecond,
                k.MixedOverBasePaired, string.Join(", ", k.MixedOverBaseByRepetition.Select(r => MarkdownTable.Format(r))),
                k.MixedOverBase, k.MixedOverBaseDecode, k.MixedOverOneAtATime, k.SingleOverBase);
        sb.Append(summary).AppendLine();

        if (report.Summary.Any(k => k.MixedMethodsOverBaseByRepetition.Count > 0))
        {
            sb.AppendLine($"mixed-methods: the same wave with a third of the requests on distinct rank-{s.Rank} LoRAs, a third on distinct DoRAs " +
                "(same rank, all 7 linears) and a third on distinct IA³ adapters (k_proj, v_proj, feed-forward down_proj), all in one batch.").AppendLine();
            var methods = new MarkdownTable("kernel", "base tok/s", "mixed-methods tok/s", "mixed-methods/base (paired)", "per repetition", "mixed (LoRA only)/base (paired)");
            foreach (var k in report.Summary)
                methods.Row(k.Kernel, k.BaseTokensPerSecond, k.MixedMethodsTokensPerSecond, k.MixedMethodsOverBasePaired,
                    string.Join(", ", k.MixedMethodsOverBaseByRepetition.Select(r => MarkdownTable.Format(r))), k.MixedOverBasePaired);
            sb.Append(methods).AppendLine();
        }

        sb.AppendLine("Every run, in order:").AppendLine();
        sb.Append(RunsTable(report.Runs)).AppendLine();

        if (report.Profile.Count > 0)
        {
            var first = report.Profile[0];
            sb.AppendLine($"One decode step, batch {first.Batch}, context {first.Context} (ms, medians of {first.Steps} steps):").AppendLine();
            var profile = new MarkdownTable("variant", "total", "batch assembly", "base matmuls (bare)", "attention", "LoRA", "other", "logits + sampling");
            foreach (var p in report.Profile)
                profile.Row(p.Variant, p.TotalMs, p.AssemblyMs, p.MatmulMs, p.AttentionMs, p.LoraMs, p.OtherMs, p.SamplingMs);
            sb.Append(profile).AppendLine();
        }
        if (report.Zipf is { } z) sb.Append(Zipf(z));
        return sb.ToString();
    }

    public static MarkdownTable RunsTable(IEnumerable<ThroughputRun> runs)
    {
        var table = new MarkdownTable("rep", "scenario", "kernel", "requests", "failed", "tokens", "seconds", "tok/s", "decode tok/s", "TTFT p50 s", "TPOT p50 ms", "error");
        foreach (var r in runs)
            table.Row(r.Repetition + 1, r.Scenario, r.Kernel, r.Requests, r.Failed, r.OutputTokens, r.Seconds, r.TokensPerSecond, r.DecodeTokensPerSecond, r.TtftP50,
                r.TpotP50 * 1e3, r.Error is null ? "" : r.Error.Split('\n')[0]);
        return table;
    }

    private static string Zipf(ZipfReport z)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"{z.Registered} registered adapters ({z.AdapterFileBytes / 1e6:0.0} MB each on disk, bf16), {z.Slots} device slots, host budget " +
            $"{z.HostBudgetBytes >> 20} MiB, Zipf({z.Alpha}) popularity: {z.Requests} requests over {z.DistinctAdapters} distinct adapters, closed loop at " +
            $"concurrency {z.Concurrency}. Registration took {z.RegistrationSeconds:0.0} s.").AppendLine();
        sb.Append(RunsTable(z.Runs)).AppendLine();
        var baseRun = z.Runs.FirstOrDefault(r => r.Scenario == "base");
        var ratios = new MarkdownTable("kernel", "zipf tok/s", "base tok/s", "zipf/base", "slot loads", "evictions", "hits", "slot load p50 ms", "slot load max ms");
        foreach (var r in z.Runs.Where(r => r.Scenario != "base"))
        {
            var c = z.Counters.GetValueOrDefault(r.Kernel);
            ratios.Row(r.Kernel, r.TokensPerSecond, baseRun?.TokensPerSecond ?? double.NaN, r.TokensPerSecond / (baseRun?.TokensPerSecond ?? double.NaN),
                c?.SlotLoads ?? 0, c?.Evictions ?? 0, c?.Hits ?? 0, c?.SlotLoadP50Ms ?? double.NaN, c?.SlotLoadMaxMs ?? double.NaN);
        }
        sb.Append(ratios).AppendLine();
        var t = z.LoadTimes;
        sb.AppendLine($"Loading one adapter (medians of {t.Adapters}): disk → host {t.DiskToHostMs:0.0} ms (hash {t.HashMs:0.0} + parse {t.ParseMs:0.0}; " +
            $"files in the page cache), host → slot {t.HostToSlotMs:0.0} ms, disk → slot {t.DiskToSlotMs:0.0} ms.").AppendLine();
        var memory = new MarkdownTable("when", "registry host MiB", "process working set MiB", "managed heap MiB");
        memory.Row($"after registering {z.Registered}", z.AfterRegistration.RegistryHostBytes / (double)(1 << 20), z.AfterRegistration.WorkingSetBytes / (double)(1 << 20),
            z.AfterRegistration.ManagedBytes / (double)(1 << 20));
        memory.Row("after the runs", z.AfterRuns.RegistryHostBytes / (double)(1 << 20), z.AfterRuns.WorkingSetBytes / (double)(1 << 20),
            z.AfterRuns.ManagedBytes / (double)(1 << 20));
        sb.Append(memory);
        return sb.ToString();
    }
}
