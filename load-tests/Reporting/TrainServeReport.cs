using System.Globalization;
using Peft.LoadTests.Benchmarks;

namespace Peft.LoadTests.Reporting;

internal sealed record TrainServeReport(MachineInfo Machine, TrainServeSettings Settings, TrainServeResult Result)
{
    public static string Markdown(TrainServeReport r)
    {
        var table = new MarkdownTable("phase", "tokens/s", "tpot p50 ms", "tpot p90 ms", "ttft p50 ms", "training steps");
        foreach (var p in new[] { r.Result.Idle, r.Result.Training })
            table.Row(p.Phase, p.TokensPerSecond, p.TpotP50Ms, p.TpotP90Ms, p.TtftP50Ms, p.TrainingSteps);
        return $"# Serving while an adapter trains\n\n{r.Machine.Markdown()}\n\n`{r.Machine.Command}`\n\n{r.Settings.Requests} requests per phase, {r.Settings.Concurrency} in flight, " +
            $"{r.Settings.NewTokens} new tokens each, model `{r.Settings.Model}`; LoRA r 8 on `{r.Settings.Data}`, micro-batches of {r.Settings.TrainBatch}.\n\n" +
            table + $"\np50 time per output token with training / idle: **{r.Result.TpotRatio.ToString("F2", CultureInfo.InvariantCulture)}×** (target ≤ 2×).\n";
    }
}
