using System.Diagnostics;
using Peft.LoadTests.Reporting;
using Peft.Runtime.Adapters;
using Peft.Runtime.Adapters.Registry;
using Peft.Runtime.Adapters.Storage;
using Peft.Runtime.Engine;
using Peft.Runtime.Engine.Output;
using Peft.Runtime.Engine.Sampling;
using Peft.Runtime.Models;
using Peft.Runtime.Tokenization;
using Peft.Runtime.Training;
using Peft.Runtime.Training.Jobs;
using Peft.Runtime.Training.Methods;

namespace Peft.LoadTests.Benchmarks;

internal sealed record TrainServeSettings(string Model, string Data, int Concurrency, int Requests, int NewTokens, int TrainBatch);

/// <summary>One phase's latency figures.</summary>
internal sealed record PhaseResult(string Phase, int Requests, double TokensPerSecond, double TpotP50Ms, double TpotP90Ms, double TtftP50Ms, int TrainingSteps);

internal sealed record TrainServeResult(PhaseResult Idle, PhaseResult Training, double TpotRatio);

/// <summary>
/// The same closed-loop decode load twice on one engine: idle, then while a LoRA job trains on the demo task
/// (interleaved by the engine). Time per output token is measured per request from its streamed tokens.
/// </summary>
internal static class TrainServeBenchmark
{
    public static async Task<TrainServeResult> RunAsync(TrainServeSettings settings, TextWriter log, CancellationToken cancellationToken)
    {
        using var model = CausalLM.Load(settings.Model, new ModelLoadOptions());
        var tokenizer = ModelTokenizer.Load(settings.Model);
        string scratch = Path.Combine(Path.GetTempPath(), $"peft-train-serve-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(scratch, "root"));
        try
        {
            var store = new AdapterStore(new AdapterStoreOptions([Path.Combine(scratch, "root")], Path.Combine(scratch, "store")));
            using var registry = new AdapterRegistry(BaseModel.Of(model), store, new AdapterRegistryOptions(), TimeProvider.System);
            await using var engine = new InferenceEngine(model, new EngineOptions(), registry, new TokenizerDecoder(tokenizer));
            using var training = new TrainingJobManager(model, tokenizer, registry, new TrainingJobOptions { JobsDirectory = Path.Combine(scratch, "jobs") });
            training.Attach(engine);
            engine.Start();

            var prompt = tokenizer.Encode("Once upon a time", cancellationToken: cancellationToken).ToArray();
            await Phase("warm-up", engine, prompt, settings with { Requests = settings.Concurrency }, null, log, cancellationToken);
            var idle = await Phase("idle", engine, prompt, settings, null, log, cancellationToken);

            var job = await training.StartAsync(new TrainingJobSpec
            {
                AdapterId = "train-serve",
                Method = new LoraSpec(new LoraTrainingConfig { Rank = 8, Alpha = 16, Dropout = 0 }),
                Trainer = new TrainerOptions { LearningRate = 1e-2, MaxSteps = 100_000, MicroBatchSize = settings.TrainBatch, EvalEvery = 0, CheckpointEvery = 0 },
            }, await File.ReadAllBytesAsync(settings.Data, cancellationToken), null, cancellationToken);
            var running = training.Get(job.JobId);
            await foreach (var e in running.Watch().ReadAllAsync(cancellationToken))
                if (e.Progress is { Step: >= 1 }) break;
            var during = await Phase("training", engine, prompt, settings, running, log, cancellationToken);
            training.Cancel(job.JobId);

            var result = new TrainServeResult(idle, during, during.TpotP50Ms / idle.TpotP50Ms);
            log.WriteLine($"p50 time per output token: idle {idle.TpotP50Ms:F1} ms, with training {during.TpotP50Ms:F1} ms ({result.TpotRatio:F2}x); " +
                $"{during.TrainingSteps} training steps meanwhile");
            return result;
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static async Task<PhaseResult> Phase(string name, InferenceEngine engine, int[] prompt, TrainServeSettings settings, TrainingJob? job,
        TextWriter log, CancellationToken cancellationToken)
    {
        int stepsBefore = job?.Snapshot().Progress?.Step ?? 0;
        var tpot = new List<double>();
        var ttft = new List<double>();
        long tokens = 0;
        var clock = Stopwatch.StartNew();
        using var gate = new SemaphoreSlim(settings.Concurrency);
        var tasks = Enumerable.Range(0, settings.Requests).Select(async i =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                var sampling = new SamplingParams { MaxNewTokens = settings.NewTokens, IgnoreEos = true, Temperature = 0.8f, Seed = (ulong)i };
                var started = Stopwatch.GetTimestamp();
                using var stream = engine.Submit(new GenerationRequest { PromptTokens = prompt, Sampling = sampling }, cancellationToken);
                var stamps = new List<long>();
                await foreach (var e in stream.Events.ReadAllAsync(cancellationToken))
                    if (e is TokensGenerated) stamps.Add(Stopwatch.GetTimestamp());
                lock (tpot)
                {
                    ttft.Add(Stopwatch.GetElapsedTime(started, stamps[0]).TotalMilliseconds);
                    tpot.Add(Stopwatch.GetElapsedTime(stamps[0], stamps[^1]).TotalMilliseconds / (stamps.Count - 1));
                    tokens += stamps.Count;
                }
            }
            finally
            {
                gate.Release();
            }
        });
        await Task.WhenAll(tasks);
        var tpots = new Percentiles(tpot);
        var result = new PhaseResult(name, settings.Requests, tokens / clock.Elapsed.TotalSeconds, tpots.At(50), tpots.At(90), new Percentiles(ttft).At(50),
            (job?.Snapshot().Progress?.Step ?? 0) - stepsBefore);
        log.WriteLine($"  {name,-9} {result.TokensPerSecond,7:F1} tokens/s, tpot p50 {result.TpotP50Ms:F1} ms p90 {result.TpotP90Ms:F1} ms, ttft p50 {result.TtftP50Ms:F0} ms" +
            (job is null ? "" : $", {result.TrainingSteps} training steps"));
        return result;
    }
}
