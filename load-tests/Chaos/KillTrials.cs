using Google.Protobuf;
using Grpc.Core;
using Peft.Protos.V1;

namespace Peft.LoadTests.Chaos;

/// <summary>
/// kill -9 at a random moment during uploads, registrations, training or streaming, then a restart on the same
/// store and jobs directories, and the invariants: every acknowledged adapter (and unload) kept, no partial adapter
/// visible and each serving its solo output, no orphan files, every acknowledged job resumed or failed visibly.
/// </summary>
internal sealed class KillTrials(ChaosEnvironment environment, ChaosReport report, ExpectedOutputs expected, Random random, TextWriter log)
{
    private static readonly StatusCode[] Refusals =
        [StatusCode.InvalidArgument, StatusCode.AlreadyExists, StatusCode.NotFound, StatusCode.ResourceExhausted, StatusCode.FailedPrecondition, StatusCode.PermissionDenied];

    private readonly AdapterLedger _ledger = new();
    private readonly Dictionary<string, string> _jobs = [];   // acknowledged job id → adapter id
    private readonly Lock _jobsLock = new();

    public static KillActivity ActivityOf(int trial) => (KillActivity)(trial % 4);

    /// <summary>How long after an activity starts the kill may come (uniformly within it).</summary>
    public static TimeSpan Window(KillActivity activity) => activity switch
    {
        KillActivity.Upload => TimeSpan.FromMilliseconds(600),
        KillActivity.Registration => TimeSpan.FromMilliseconds(400),
        KillActivity.Training => TimeSpan.FromSeconds(4),
        _ => TimeSpan.FromSeconds(1),
    };

    public async Task RunAsync(int trials, ServerLayout layout, ServerProcess first)
    {
        var server = first;
        try
        {
            for (int trial = 0; trial < trials; trial++)
            {
                var activity = ActivityOf(trial);
                string name = $"kill {trial + 1}/{trials} ({activity.ToString().ToLowerInvariant()})";
                var delay = TimeSpan.FromMilliseconds(random.NextDouble() * Window(activity).TotalMilliseconds);
                using (var stop = new CancellationTokenSource())
                {
                    var work = Task.Run(() => RunActivityAsync(activity, server.Client, trial, name, stop.Token));
                    await Task.Delay(delay);
                    server.Kill();
                    report.Killed();
                    await stop.CancelAsync();
                    try
                    {
                        await work;
                    }
                    catch (Exception e) when (e is RpcException or OperationCanceledException or IOException or HttpRequestException)
                    {
                    }
                }
                await server.DisposeAsync();
                log.WriteLine($"{name}: killed after {delay.TotalMilliseconds:0} ms; restarting");
                try
                {
                    server = await ServerProcess.StartAsync(environment, layout);
                }
                catch (ChaosException e)
                {
                    report.Fail(name, "the server restarts after kill -9", e.Message);
                    return;
                }
                await CheckAsync(server.Client, layout, name);
                await TrimAsync(server.Client);
            }
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    private Task RunActivityAsync(KillActivity activity, ChaosClient client, int trial, string name, CancellationToken stop) => activity switch
    {
        KillActivity.Upload => UploadsAsync(client, trial, stop),
        KillActivity.Registration => RegistrationsAsync(client, trial, stop),
        KillActivity.Training => TrainingAsync(client, trial),
        _ => StreamsAsync(client, name, stop),
    };

    private async Task UploadsAsync(ChaosClient client, int trial, CancellationToken stop)
    {
        for (int i = 0; !stop.IsCancellationRequested; i++)
        {
            string fixture = Pick(ChaosEnvironment.AdapterNames);
            var uploads = _ledger.Present.Where(id => id.StartsWith('u')).ToArray();
            bool replace = uploads.Length > 0 && random.NextDouble() < 0.25;
            string id = replace ? Pick(uploads) : $"u{trial}-{i}";
            if (!await Apply(id, expected.VersionOf(fixture), () => client.UploadAsync(id, environment.AdapterDirectory(fixture), replace))) return;
        }
    }

    private async Task RegistrationsAsync(ChaosClient client, int trial, CancellationToken stop)
    {
        for (int i = 0; !stop.IsCancellationRequested; i++)
        {
            var present = _ledger.Present;
            double dice = random.NextDouble();
            string fixture = Pick(ChaosEnvironment.AdapterNames);
            bool ok;
            if (present.Count > 0 && dice < 0.3)
            {
                string id = Pick(present);
                ok = await Apply(id, null, () => client.UnloadAsync(id));
            }
            else if (present.Count > 0 && dice < 0.6)
            {
                string id = Pick(present);
                ok = await Apply(id, expected.VersionOf(fixture), () => client.LoadAsync(id, ChaosEnvironment.Adapter(fixture), replace: true));
            }
            else
            {
                string id = $"r{trial}-{i}";
                ok = await Apply(id, expected.VersionOf(fixture), () => client.LoadAsync(id, ChaosEnvironment.Adapter(fixture)));
            }
            if (!ok) return;
        }
    }

    /// <summary>Sends one call and records its outcome; false once the server is gone.</summary>
    private async Task<bool> Apply<T>(string id, string? version, Func<Task<Outcome<T>>> call)
    {
        _ledger.Sent(id, version);
        var outcome = await call();
        if (outcome.Ok) _ledger.Acknowledged(id, version);
        else if (Refusals.Contains(outcome.Status)) _ledger.Refused(id, version);
        else return false;   // unanswered: either state may be what the server kept
        return true;
    }

    private async Task TrainingAsync(ChaosClient client, int trial)
    {
        for (int j = 0; j < 2; j++)
        {
            string adapter = $"t{trial}-{j}";
            _ledger.Sent(adapter, AdapterLedger.AnyVersion);
            var started = await client.StartTrainingAsync(TrainingRequest(adapter, steps: 40));
            if (!started.Ok)
            {
                if (Refusals.Contains(started.Status)) _ledger.Refused(adapter, AdapterLedger.AnyVersion);
                return;
            }
            lock (_jobsLock) _jobs[started.Value!.JobId] = adapter;
        }
    }

    private async Task StreamsAsync(ChaosClient client, string name, CancellationToken stop)
    {
        var ids = _ledger.Present.Append("").ToArray();
        await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                var outcome = await client.GenerateAsync(Pick(ids), ExpectedOutputs.Prompt, ExpectedOutputs.NewTokens, stop);
                if (!outcome.Ok) return;
                report.Requested();
                if (!expected.Check(outcome.Version ?? "", outcome.Tokens))
                    report.WrongOne(name, $"version {outcome.Version} gave [{string.Join(' ', outcome.Tokens)}] before the kill");
            }
        }));
    }

    /// <summary>A small LoRA job on inline data: "item N =>" → " even"/" odd".</summary>
    public static StartTrainingRequest TrainingRequest(string adapter, uint steps) => new()
    {
        AdapterId = adapter,
        Lora = new LoraMethod { R = 4, LoraAlpha = 8 },
        Hyperparameters = new TrainingHyperparameters { LearningRate = 1e-2, MaxSteps = steps, BatchSize = 8, CheckpointEvery = 5 },
        TrainJsonl = ByteString.CopyFromUtf8(string.Join('\n', Enumerable.Range(0, 40)
            .Select(i => $"{{\"prompt\": \"item {i} =>\", \"completion\": \" {(i % 2 == 0 ? "even" : "odd")}\"}}"))),
    };

    private async Task CheckAsync(ChaosClient client, ServerLayout layout, string name)
    {
        var trained = await CheckJobsAsync(client, name);
        var adapters = await client.ListAsync();
        var listed = adapters.ToDictionary(a => a.AdapterId, a => a.Version);
        foreach (var (adapter, version) in trained)
            if (listed.GetValueOrDefault(adapter) != version)
                report.LostOne(name, $"job of '{adapter}' succeeded with version '{Short(version)}', but the adapter is {(listed.TryGetValue(adapter, out var v) ? $"at '{Short(v)}'" : "not listed")}");
        // A trained adapter's version is known only from its job; one that the job record missed (a kill between the
        // registration and the record) still counts as complete when it serves.
        var trainedIds = listed.Where(l => l.Key.StartsWith('t')).Select(l => l.Value).ToHashSet(StringComparer.Ordinal);
        foreach (var v in _ledger.Reconcile(listed, version => expected.Knows(version) || trained.ContainsValue(version) || trainedIds.Contains(version)))
        {
            if (v.Kind == LedgerViolationKind.Lost) report.LostOne(name, $"'{v.Id}': {v.Detail}");
            else report.PartialOne(name, $"'{v.Id}': {v.Detail}");
        }
        foreach (var adapter in adapters.Append(new AdapterInfo { AdapterId = "", Version = "" }))
        {
            var solo = await client.GenerateAsync(adapter.AdapterId, ExpectedOutputs.Prompt, ExpectedOutputs.NewTokens);
            report.Requested();
            if (!solo.Ok) report.PartialOne(name, $"'{adapter.AdapterId}' is listed but does not serve: {solo.Status} {solo.Detail}");
            else if (!expected.Check(adapter.Version, solo.Tokens)) report.PartialOne(name, $"'{adapter.AdapterId}' does not serve its version's solo output");
        }
        foreach (string orphan in StoreOrphans.Find(layout.Store, adapters.Select(a => a.Path).Where(p => p.Length > 0)))
            report.Fail(name, "orphan files cleaned at start", $"{orphan} is in the store but no adapter lists it");
    }

    /// <summary>Waits for every acknowledged job to end; returns adapter id → version of the ones that succeeded.</summary>
    private async Task<Dictionary<string, string>> CheckJobsAsync(ChaosClient client, string name)
    {
        var trained = new Dictionary<string, string>();
        KeyValuePair<string, string>[] jobs;
        lock (_jobsLock) jobs = [.. _jobs];
        foreach (var (jobId, adapter) in jobs)
        {
            var until = DateTime.UtcNow.AddMinutes(2);
            Outcome<TrainingJob> job;
            while (true)
            {
                job = await client.GetJobAsync(jobId);
                if (!job.Ok || Terminal(job.Value!.State) || DateTime.UtcNow > until) break;
                await Task.Delay(200);
            }
            lock (_jobsLock) _jobs.Remove(jobId);
            if (!job.Ok)
            {
                report.LostOne(name, $"job {jobId} was acknowledged but is gone: {job}");
                continue;
            }
            var state = job.Value!;
            if (!Terminal(state.State))
                report.Fail(name, "jobs resume or fail visibly", $"job {jobId} is still {state.State} two minutes after the restart");
            else if (state.State == TrainingJobState.Failed && state.Error.Length == 0)
                report.Fail(name, "jobs resume or fail visibly", $"job {jobId} failed without an error");
            else if (state.State == TrainingJobState.Succeeded)
            {
                trained[adapter] = state.AdapterVersion;
                if (state.Progress is not { Step: > 0 } p || p.Step != p.TotalSteps)
                    report.Fail(name, "a finished job keeps its progress", $"job {jobId} succeeded but shows {state.Progress?.Step ?? 0}/{state.Progress?.TotalSteps ?? 0}");
            }
            else if (state.State == TrainingJobState.Failed)
                log.WriteLine($"{name}: job {jobId} failed visibly: {state.Error}");
        }
        return trained;
    }

    private static string Short(string version) => version[..Math.Min(12, version.Length)];

    private static bool Terminal(TrainingJobState state) =>
        state is TrainingJobState.Succeeded or TrainingJobState.Failed or TrainingJobState.Cancelled;

    /// <summary>Keeps the registered set small, so each check stays quick: unloads (acknowledged) down to 16.</summary>
    private async Task TrimAsync(ChaosClient client)
    {
        var present = _ledger.Present.ToList();
        while (present.Count > 16)
        {
            string id = Pick(present);
            present.Remove(id);
            await Apply(id, null, () => client.UnloadAsync(id));
        }
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];
}

internal enum KillActivity
{
    Upload,
    Registration,
    Training,
    Streaming,
}
