using Peft.LoadTests.Synthetic;
using Peft.LoadTests.Targets;
using Peft.LoadTests.Workload;
using Peft.Runtime.Engine;
using Peft.Runtime.Models;
using TorchSharp;

namespace Peft.LoadTests.Benchmarks;

/// <summary>
/// Many registered adapters, few device slots: adapters stored as bf16 PEFT files (to keep a thousand of them to a
/// few GB of disk), a small host budget, Zipf(alpha) popularity, closed loop at the given concurrency; the base
/// model on the same requests first, then each kernel. Cold adapters come from disk through the registry's host
/// tier and are copied into slots by the engine as requests need them.
/// </summary>
internal sealed class ZipfBenchmark(CausalLM model, ModelShape shape, BenchCache cache, LoraSettings settings, TextWriter log)
{
    public async Task<ZipfReport> RunAsync()
    {
        log.WriteLine($"writing/registering {settings.ZipfAdapters} adapters (bf16 files), host budget {settings.HostBudgetBytes >> 20} MiB");
        var registrationStart = System.Diagnostics.Stopwatch.GetTimestamp();
        using var adapters = await AdapterSet.CreateAsync(cache, model, shape, settings.ZipfAdapters, settings.Rank, torch.ScalarType.BFloat16, settings.HostBudgetBytes, log);
        double registration = System.Diagnostics.Stopwatch.GetElapsedTime(registrationStart).TotalSeconds;
        var afterRegistration = MemoryReading.Now(adapters.Registry.HostBytes);
        log.WriteLine($"  registry host bytes {afterRegistration.RegistryHostBytes >> 20} MiB, working set {afterRegistration.WorkingSetBytes >> 20} MiB");

        var coldest = Enumerable.Range(settings.ZipfAdapters - 8, 8).Select(i => (adapters.Ids[i], adapters.Directories[i])).ToArray();
        var loadTimes = AdapterLoadTiming.Measure(model, coldest, log);

        var zipf = new ZipfSampler(settings.ZipfAdapters, settings.ZipfAlpha);
        var ranks = new Random(settings.Seed + 7);
        var requests = ClosedLoopWave.Requests(settings.ZipfRequests, settings.PromptLength, settings.NewTokens, model.Config.VocabSize, settings.Seed + 11,
            _ => zipf.Next(ranks));
        int distinct = requests.Select(r => r.AdapterRank).Distinct().Count();
        log.WriteLine($"  {settings.ZipfRequests} requests over {distinct} distinct adapters, concurrency {settings.Concurrency}");

        var runs = new List<ThroughputRun>();
        var counters = new Dictionary<string, AdapterCounters>();
        using var listener = new AdapterMetricsListener();
        foreach (var kernel in settings.Kernels)
        {
            var engine = BenchEngine.Start(model, adapters.Registry, kernel, settings.Slots, settings.Concurrency * settings.PromptLength);
            try
            {
                var target = new InProcessTarget(engine, adapters.Registry);
                if (runs.Count == 0)
                {
                    await ClosedLoopRunner.RunAsync(target, requests.Take(settings.Concurrency).ToArray(), _ => null, settings.Concurrency);
                    runs.Add(await ClosedLoopWave.RunAsync("base", "-", target, requests, _ => null, settings.Concurrency, log));
                }
                listener.Take();
                string name = LoraBenchmark.Name(kernel);
                runs.Add(await ClosedLoopWave.RunAsync($"zipf-{settings.ZipfAdapters}", name, target, requests,
                    r => adapters.Ids[r.AdapterRank], settings.Concurrency, log));
                counters[name] = listener.Take();
                log.WriteLine($"  engine: {counters[name].SlotLoads} slot loads (p50 {counters[name].SlotLoadP50Ms:0.0} ms), {counters[name].Evictions} evictions, " +
                    $"{counters[name].Hits} hits, {counters[name].Preemptions} preemptions");
            }
            finally
            {
                await engine.DisposeAsync();
            }
        }
        var afterRuns = MemoryReading.Now(adapters.Registry.HostBytes);
        return new ZipfReport
        {
            Registered = settings.ZipfAdapters,
            Slots = settings.Slots,
            HostBudgetBytes = settings.HostBudgetBytes,
            AdapterFileBytes = SyntheticLora.Bytes(shape, settings.Rank, torch.ScalarType.BFloat16),
            Alpha = settings.ZipfAlpha,
            Requests = settings.ZipfRequests,
            Concurrency = settings.Concurrency,
            DistinctAdapters = distinct,
            RegistrationSeconds = registration,
            AfterRegistration = afterRegistration,
            AfterRuns = afterRuns,
            LoadTimes = loadTimes,
            Runs = runs,
            Counters = counters,
        };
    }
}
