using Peft.LoadTests.Reporting;
using Peft.LoadTests.Targets;
using Peft.LoadTests.Workload;

namespace Peft.LoadTests.Benchmarks;

/// <summary>
/// The closed-loop workloads of the LoRA benchmark: a number of requests with short random prompts and a fixed
/// output length, sent by <c>concurrency</c> clients, with the adapter of each request chosen by the scenario.
/// </summary>
internal static class ClosedLoopWave
{
    public static IReadOnlyList<RequestSpec> Requests(int count, int promptLength, int newTokens, int vocab, int seed, Func<int, int>? rankOf = null)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i =>
        {
            var prompt = Enumerable.Range(0, promptLength).Select(_ => random.Next(WorkloadGenerator.FirstPromptToken, vocab)).ToArray();
            return new RequestSpec(i, TimeSpan.Zero, rankOf?.Invoke(i) ?? i, prompt, newTokens);
        }).ToArray();
    }

    public static async Task<ThroughputRun> RunAsync(string scenario, string kernel, ITarget target, IReadOnlyList<RequestSpec> requests,
        Func<RequestSpec, string?> adapterOf, int concurrency, TextWriter log)
    {
        var records = await ClosedLoopRunner.RunAsync(target, requests, adapterOf, concurrency);
        var run = ThroughputRun.Of(scenario, kernel, records);
        log.WriteLine($"  {scenario,-22} {kernel,-8} {run.TokensPerSecond,7:0.0} tokens/s (decode {run.DecodeTokensPerSecond:0.0}), " +
            $"{run.Seconds:0.0} s, ttft p50 {run.TtftP50 * 1e3:0} ms, tpot p50 {run.TpotP50 * 1e3:0} ms" +
            (run.Failed > 0 ? $", {run.Failed} FAILED: {string.Join("; ", records.Where(r => !r.IsOk).Select(r => $"{r.Status}: {r.Error}").Distinct())}" : ""));
        return run;
    }
}
