using Peft.LoadTests.Synthetic;
using Peft.LoadTests.Targets;
using Peft.LoadTests.Workload;
using Peft.Runtime.Adapters.Lora;
using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Engine;
using Peft.Runtime.Models;
using TorchSharp;

namespace Peft.LoadTests.Benchmarks;

/// <summary>
/// Issue 5's headline numbers: closed-loop decode throughput of the engine at batch 32 on the base model, with
/// 32 distinct adapters in one batch, with one adapter for all, and served one adapter at a time; for each LoRA
/// kernel, interleaved repetition by repetition so all scenarios see the same machine. Each kernel's runs of a
/// repetition get a fresh, warmed-up engine, and only one engine is alive at a time. Then where a decode step's
/// time goes, and the many-adapter run (<see cref="ZipfBenchmark"/>).
/// </summary>
internal sealed class LoraBenchmark(CausalLM model, ModelShape shape, BenchCache cache, LoraSettings settings, TextWriter log)
{
    private IReadOnlyList<string>[]? _methods;

    public async Task<(IReadOnlyList<ThroughputRun> Runs, IReadOnlyList<KernelSummary> Summary, IReadOnlyList<DecodeProfileRow> Profile)> RunAsync()
    {
        log.WriteLine($"writing/registering {settings.Adapters} rank-{settings.Rank} adapters");
        using var adapters = await AdapterSet.CreateAsync(cache, model, shape, settings.Adapters, settings.Rank, torch.ScalarType.Float32, 4L << 30, log);
        _methods = settings.MixedMethods ? await MethodSetAsync(adapters) : null;
        var methods = _methods;
        var runs = new List<ThroughputRun>();
        for (int rep = 0; rep < settings.Repetitions; rep++)
        {
            log.WriteLine($"repetition {rep + 1}/{settings.Repetitions}");
            var requests = Wave(rep);
            foreach (var kernel in settings.Kernels)
            {
                // A fresh engine per kernel and repetition, one alive at a time (as a server runs one).
                await using var engine = await StartWarmAsync(adapters, kernel);
                // A base wave right before each kernel's mixed wave: the ratio compares runs seconds apart, not minutes.
                runs.Add(await RunAsync("base", Name(kernel), engine, adapters, requests, _ => null) with { Repetition = rep });
                runs.Add(await RunAsync("mixed", Name(kernel), engine, adapters, requests, r => adapters.Ids[r.AdapterRank % adapters.Ids.Count]) with { Repetition = rep });
                runs.Add(await RunAsync("single", Name(kernel), engine, adapters, requests, _ => adapters.Ids[0]) with { Repetition = rep });
                if (methods is not null)
                    runs.Add(await RunAsync("mixed-methods", Name(kernel), engine, adapters, requests, r => MethodOf(methods, r.AdapterRank)) with { Repetition = rep });
            }
        }
        for (int rep = 0; rep < settings.OneAtATimeRepetitions; rep++)
        {
            foreach (var kernel in settings.Kernels)
            {
                await using var engine = await StartWarmAsync(adapters, kernel);
                await using var serial = new OneAdapterAtATimeTarget(new InProcessTarget(engine, adapters.Registry));
                runs.Add(await ClosedLoopWave.RunAsync("one-at-a-time", Name(kernel), serial, Wave(rep),
                    r => adapters.Ids[r.AdapterRank % adapters.Ids.Count], settings.Concurrency, log) with { Repetition = rep });
            }
        }

        log.WriteLine($"decode step profile (batch {settings.Requests}, context {settings.ProfileContext})");
        var hosts = adapters.Ids.Select(id => (LoraAdapter)adapters.Registry.EnsureHost(adapters.Registry.Get(id)).Result).ToArray();
        // On its own thread, as the engine runs its steps (libtorch work on a pool thread was far slower here).
        IReadOnlyList<DecodeProfileRow> profile = [];
        var worker = new Thread(() => profile = new DecodeProfile(model, hosts, settings.Requests, settings.ProfileContext, settings.ProfileSteps, log).Run())
        {
            Name = "decode-profile",
        };
        worker.Start();
        worker.Join();
        return (runs, Summarize(runs), profile);
    }

    /// <summary>Distinct LoRA, DoRA and IA³ adapters, a third of the requests each (LoRA ones from the main set).</summary>
    private async Task<IReadOnlyList<string>[]> MethodSetAsync(AdapterSet adapters)
    {
        int each = Math.Max(1, settings.Requests / 3);
        log.WriteLine($"writing/registering {each} rank-{settings.Rank} DoRA and {each} IA³ adapters for the mixed-methods wave");
        var dora = await adapters.AddAsync("dora", [.. Enumerable.Range(0, each).Select(i => cache.DoraAdapter(shape, settings.Rank, i))]);
        var ia3 = await adapters.AddAsync("ia3", [.. Enumerable.Range(0, each).Select(i => cache.Ia3Adapter(shape, i))]);
        return [adapters.Ids.Take(each).ToArray(), dora, ia3];
    }

    private static string MethodOf(IReadOnlyList<string>[] methods, int rank) => methods[rank % 3][rank / 3 % methods[rank % 3].Count];

    /// <summary>Medians over the runs in which every request completed; each kernel's mixed and single runs are paired
    /// with the base run on the same engine just before them, and a repetition whose run failed is left out.</summary>
    private KernelSummary[] Summarize(IReadOnlyList<ThroughputRun> runs)
    {
        var complete = runs.Where(r => r.Failed == 0).ToArray();
        double Median(string scenario, string kernel, Func<ThroughputRun, double> value) =>
            Timing.Median(complete.Where(r => r.Scenario == scenario && r.Kernel == kernel).Select(value));
        double[] Paired(string scenario, string kernel) =>
        [
            .. Enumerable.Range(0, settings.Repetitions)
                .Select(rep => (Run: complete.SingleOrDefault(r => r.Scenario == scenario && r.Kernel == kernel && r.Repetition == rep),
                    Base: complete.SingleOrDefault(r => r.Scenario == "base" && r.Kernel == kernel && r.Repetition == rep)))
                .Where(p => p.Run is not null && p.Base is not null)
                .Select(p => p.Run!.TokensPerSecond / p.Base!.TokensPerSecond),
        ];
        return settings.Kernels.Select(k => Name(k)).Select(k => new KernelSummary(k,
            Median("base", k, r => r.TokensPerSecond), Median("mixed", k, r => r.TokensPerSecond), Median("single", k, r => r.TokensPerSecond),
            Median("one-at-a-time", k, r => r.TokensPerSecond), Median("base", k, r => r.DecodeTokensPerSecond), Median("mixed", k, r => r.DecodeTokensPerSecond))
        {
            MixedOverBaseByRepetition = Paired("mixed", k),
            SingleOverBaseByRepetition = Paired("single", k),
            MixedMethodsTokensPerSecond = settings.MixedMethods ? Median("mixed-methods", k, r => r.TokensPerSecond) : double.NaN,
            MixedMethodsOverBaseByRepetition = settings.MixedMethods ? Paired("mixed-methods", k) : [],
        }).ToArray();
    }

    private async Task<InferenceEngine> StartWarmAsync(AdapterSet adapters, LoraKernel kernel)
    {
        var engine = BenchEngine.Start(model, adapters.Registry, kernel, settings.Slots, settings.Requests * settings.PromptLength);
        await WarmUpAsync(engine, adapters, kernel);
        return engine;
    }

    private async Task WarmUpAsync(InferenceEngine engine, AdapterSet adapters, LoraKernel kernel)
    {
        log.WriteLine($"  warm-up ({Name(kernel)}): every adapter onto the device, one short wave each of base, mixed (and mixed-methods)");
        var requests = ClosedLoopWave.Requests(settings.Requests, settings.PromptLength, 4, model.Config.VocabSize, 999);
        var target = new InProcessTarget(engine, adapters.Registry);
        await ClosedLoopRunner.RunAsync(target, requests, r => adapters.Ids[r.AdapterRank % adapters.Ids.Count], settings.Concurrency);
        await ClosedLoopRunner.RunAsync(target, requests, _ => null, settings.Concurrency);
        if (_methods is { } methods) await ClosedLoopRunner.RunAsync(target, requests, r => MethodOf(methods, r.AdapterRank), settings.Concurrency);
    }

    private Task<ThroughputRun> RunAsync(string scenario, string kernel, InferenceEngine engine, AdapterSet adapters, IReadOnlyList<RequestSpec> requests,
        Func<RequestSpec, string?> adapterOf) =>
        ClosedLoopWave.RunAsync(scenario, kernel, new InProcessTarget(engine, adapters.Registry), requests, adapterOf, settings.Concurrency, log);

    private IReadOnlyList<RequestSpec> Wave(int rep) =>
        ClosedLoopWave.Requests(settings.Requests, settings.PromptLength, settings.NewTokens, model.Config.VocabSize, settings.Seed + rep);

    public static string Name(LoraKernel kernel) => kernel.ToString().ToLowerInvariant();
}
