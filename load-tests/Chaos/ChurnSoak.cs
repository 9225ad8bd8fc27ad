using Grpc.Core;

namespace Peft.LoadTests.Chaos;

/// <summary>
/// One adapter id loaded, unloaded and replaced every <c>interval</c> beside <c>streams</c> concurrent greedy streams
/// over the base model, three steady adapters and the churned id, for a fixed number of requests. Every answered
/// stream must equal the solo output of the version it reports; the churned id may be NOT_FOUND while unloaded;
/// nothing may be INTERNAL; RSS may not grow more than the bound after warm-up.
/// </summary>
internal sealed class ChurnSoak(ChaosReport report, ExpectedOutputs expected, Random random, TextWriter log)
{
    private const string Churned = "churn";
    private static readonly string[] Steady = ["steady-lora", "steady-prefix", "steady-prompt"];
    private static readonly string[] ChurnFixtures = ["lora_all", "lora_pattern", "prefix_proj", "ptuning", "lora_qv"];

    public async Task RunAsync(ServerProcess server, int requests, int streams, TimeSpan interval)
    {
        const string trial = "churn soak";
        var client = server.Client;
        foreach (var (id, fixture) in Steady.Zip(["lora_qv", "prefix", "prompt"]))
        {
            var loaded = await client.LoadAsync(id, ChaosEnvironment.Adapter(fixture));
            if (!loaded.Ok) throw new ChaosException($"{id} did not load: {loaded}");
        }
        int warmUp = requests / 10, started = 0, done = 0, refused = 0;
        var samples = new List<(int, long)>();
        using var stop = new CancellationTokenSource();
        var churn = Task.Run(() => ChurnAsync(client, interval, trial, stop.Token));
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                lock (samples) samples.Add((Volatile.Read(ref done), server.RssBytes()));
                try
                {
                    await Task.Delay(250, stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });
        string[] targets = ["", .. Steady, Churned, Churned];
        await Task.WhenAll(Enumerable.Range(0, streams).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref started) <= requests)
            {
                string adapter;
                lock (random) adapter = targets[random.Next(targets.Length)];
                var outcome = await client.GenerateAsync(adapter, ExpectedOutputs.Prompt, ExpectedOutputs.NewTokens);
                report.Requested();
                int n = Interlocked.Increment(ref done);
                if (n % 1000 == 0) log.WriteLine($"{trial}: {n}/{requests} requests, RSS {server.RssBytes() >> 20} MiB");
                if (outcome.Ok)
                {
                    if (!expected.Check(outcome.Version ?? "", outcome.Tokens))
                        report.WrongOne(trial, $"request {n} on '{adapter}' (version {outcome.Version}) gave [{string.Join(' ', outcome.Tokens)}], solo [{string.Join(' ', expected.Of(outcome.Version ?? "") ?? [])}]");
                }
                else if (outcome.Status == StatusCode.NotFound && adapter == Churned) Interlocked.Increment(ref refused);
                else if (outcome.Status == StatusCode.Internal) report.InternalOne(trial, $"request {n} on '{adapter}': {outcome.Detail}");
                else report.Fail(trial, "every request served or refused precisely", $"request {n} on '{adapter}': {outcome.Status} {outcome.Detail}");
            }
        })));
        await stop.CancelAsync();
        await churn;
        await sampler;
        lock (samples) report.RssGrowthPercent = RssGrowth.Percent(samples, warmUp, requests);
        log.WriteLine($"{trial}: {done} requests ({refused} NOT_FOUND while '{Churned}' was unloaded), RSS growth after warm-up {report.RssGrowthPercent:0.0}%");
        if (report.RssGrowthPercent > 5)
            report.Fail(trial, "RSS grows less than 5% after warm-up", $"{report.RssGrowthPercent:0.0}%");
    }

    /// <summary>Every interval: load the churned id when absent, else unload or replace it (a random fixture).</summary>
    private async Task ChurnAsync(ChaosClient client, TimeSpan interval, string trial, CancellationToken stop)
    {
        bool present = false;
        int operations = 0;
        while (!stop.IsCancellationRequested)
        {
            string fixture;
            bool unload;
            lock (random)
            {
                fixture = ChurnFixtures[random.Next(ChurnFixtures.Length)];
                unload = random.Next(2) == 0;
            }
            string what = !present ? "load" : unload ? "unload" : "replace";
            var outcome = what switch
            {
                "unload" => (await client.UnloadAsync(Churned)).Status,
                _ => (await client.LoadAsync(Churned, ChaosEnvironment.Adapter(fixture), replace: present)).Status,
            };
            if (outcome == StatusCode.OK) present = what != "unload";
            else report.Fail(trial, "churn calls succeed", $"{what} of '{Churned}' ({fixture}): {outcome}");
            operations++;
            try
            {
                await Task.Delay(interval, stop);
            }
            catch (OperationCanceledException)
            {
            }
        }
        log.WriteLine($"{trial}: {operations} load/unload/replace calls");
    }
}
