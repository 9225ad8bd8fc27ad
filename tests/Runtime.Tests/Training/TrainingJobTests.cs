using System.Text;
using Peft.Runtime.Adapters.Registry;
using Peft.Runtime.Engine;
using Peft.Runtime.Engine.Output;
using Peft.Runtime.Engine.Sampling;
using Peft.Runtime.Engine.Testing;
using Peft.Runtime.Models;
using Peft.Runtime.Tests.Engine;
using Peft.Runtime.Tests.Models;
using Peft.Runtime.Tokenization;
using Peft.Runtime.Training;
using Peft.Runtime.Training.Jobs;
using Peft.Runtime.Training.Methods;

namespace Peft.Runtime.Tests.Training;

/// <summary>Training jobs on the engine thread, interleaved with serving, through the job manager.</summary>
public sealed class TrainingJobTests : IAsyncDisposable
{
    private static readonly EngineOptions Options = new() { KvCacheBytes = 4 << 20, KvBlockSize = 4, LoraSlots = 4, MaxLoraRank = 8 };
    private readonly string _jobs = Path.Combine(Path.GetTempPath(), $"peft-jobs-{Guid.NewGuid():N}");
    private readonly ModelTokenizer _tokenizer = ModelTokenizer.Load(TextModel.Path);
    private EngineHarness _harness;
    private TrainingJobManager _manager;

    public TrainingJobTests()
    {
        (_harness, _manager) = Start();
    }

    private (EngineHarness, TrainingJobManager) Start()
    {
        var harness = new EngineHarness("llama", Options, new TokenizerDecoder(_tokenizer));
        var manager = new TrainingJobManager(harness.Model, _tokenizer, harness.Registry, new TrainingJobOptions { JobsDirectory = _jobs });
        manager.Attach(harness.Engine);
        return (harness, manager);
    }

    /// <summary>"item 17 =>" → " odd": a rule the random base model does not know.</summary>
    private static byte[] Data(int first, int count) => Encoding.UTF8.GetBytes(string.Join('\n', Enumerable.Range(first, count)
        .Select(i => $"{{\"prompt\": \"item {i} =>\", \"completion\": \" {(i % 2 == 0 ? "even" : "odd")}\"}}")));

    private static TrainingJobSpec Spec(string id, int steps = 20, int checkpointEvery = 0, bool replace = false) => new()
    {
        AdapterId = id,
        Replace = replace,
        Method = new LoraSpec(new LoraTrainingConfig { Rank = 4, Alpha = 8, Dropout = 0 }),
        Trainer = new TrainerOptions { LearningRate = 1e-2, MaxSteps = steps, MicroBatchSize = 8, WarmupSteps = 2, EvalEvery = 5, CheckpointEvery = checkpointEvery },
    };

    private static async Task<TrainingJobInfo> Finished(TrainingJob job)
    {
        TrainingJobInfo last = job.Snapshot();
        await foreach (var e in job.Watch().ReadAllAsync()) last = e.Job;
        return last;
    }

    [Fact]
    public async Task A_lora_job_trains_reports_progress_registers_and_serves()
    {
        var info = await _manager.StartAsync(Spec("trained"), Data(0, 40), Data(100, 10));
        var job = _manager.Get(info.JobId);
        var done = await Finished(job);

        Assert.Equal(TrainingJobState.Succeeded, done.State);
        var history = job.History();
        Assert.Equal(Enumerable.Range(0, 21), history.Select(p => p.Step));
        // A watcher arriving after the end still gets the state, then the whole curve, each step once.
        var late = await job.Watch().ReadAllAsync().ToListAsync();
        Assert.Null(late[0].Progress);
        Assert.Equal(TrainingJobState.Succeeded, late[0].Job.State);
        Assert.Equal(Enumerable.Range(0, 21), late.Skip(1).Select(e => e.Progress!.Step));
        Assert.True(double.IsNaN(history[0].Loss));   // step 0: the validation loss before training
        Assert.True(history[^1].EvalLoss < history[0].EvalLoss, $"eval loss {history[0].EvalLoss} → {history[^1].EvalLoss}");
        var version = _harness.Registry.Get("trained");
        Assert.Equal(done.AdapterVersion, version.ContentHash);
        Assert.Equal("LORA", version.Facts.PeftType);

        var prompt = _tokenizer.Encode("item 7 =>").ToArray();
        var completion = await EngineHarness.CollectAsync(_harness.Submit(prompt, "trained", new SamplingParams { MaxNewTokens = 3 }));
        Assert.Equal(3, completion.Tokens.Count);
    }

    [Fact]
    public async Task Bad_dataset_lines_are_refused_with_their_line_number()
    {
        var bad = Encoding.UTF8.GetBytes("{\"prompt\": \"a\", \"completion\": \" b\"}\n{\"prompt\": 5, \"completion\": \"x\"}\n");
        var e = await Assert.ThrowsAsync<TrainingJobException>(() => _manager.StartAsync(Spec("x"), bad, null));
        Assert.Equal(TrainingJobError.InvalidArgument, e.Error);
        Assert.Equal("training data line 2: field 'prompt' must be a string, found number", e.Message);

        e = await Assert.ThrowsAsync<TrainingJobException>(() => _manager.StartAsync(Spec("x"), Encoding.UTF8.GetBytes("{\"text\": \"x\"}\nnot json\n"), null));
        Assert.StartsWith("training data line 2: not valid JSON", e.Message);
        e = await Assert.ThrowsAsync<TrainingJobException>(() => _manager.StartAsync(Spec("x"), Encoding.UTF8.GetBytes("\n\n"), null));
        Assert.Equal("training data: no examples (empty, or only blank lines)", e.Message);
        e = await Assert.ThrowsAsync<TrainingJobException>(() => _manager.StartAsync(Spec("x"), Encoding.UTF8.GetBytes("{\"prompt\": \"a\"}"), null));
        Assert.Equal("training data line 1: missing field 'completion'", e.Message);
        Assert.Empty(_manager.List());
    }

    [Fact]
    public async Task Cancelling_mid_job_stops_it_and_registers_nothing()
    {
        var info = await _manager.StartAsync(Spec("cancelled", steps: 10_000), Data(0, 40), null);
        var job = _manager.Get(info.JobId);
        await foreach (var e in job.Watch().ReadAllAsync())
            if (e.Progress is { Step: >= 2 }) break;
        _manager.Cancel(info.JobId);
        var done = await Finished(job);
        Assert.Equal(TrainingJobState.Cancelled, done.State);
        Assert.Throws<AdapterNotFoundException>(() => _harness.Registry.Get("cancelled"));
    }

    [Fact]
    public async Task An_interrupted_job_resumes_from_its_checkpoint_after_a_restart()
    {
        TrainingJobInfo info;
        // Held after the micro-batch that reached step 7 (checkpoints at 3 and 6 written), the engine cannot finish the job.
        using (var hold = _harness.Engine.TestHooks.HoldAt(EnginePoint.AfterBackgroundUnit, _ => AtStep(7)))
        {
            info = await _manager.StartAsync(Spec("resumed", steps: 12, checkpointEvery: 3), Data(0, 40), null);
            await hold.Reached;
            // The process dies there: nothing is finished or cleaned up, the record still says Running.
            var stopped = _harness.Engine.StopAsync(TimeSpan.Zero);
            hold.Release();
            await stopped;
        }
        Assert.Equal(TrainingJobState.Running, _manager.Get(info.JobId).State);
        await _harness.DisposeAsync();
        _manager.Dispose();
        Assert.True(Directory.Exists(Path.Combine(_jobs, info.JobId, "checkpoint")));

        (_harness, _manager) = Start();
        var resumed = Assert.Single(_manager.Recover());
        Assert.Equal(info.JobId, resumed.JobId);
        var job2 = _manager.Get(info.JobId);
        var done = await Finished(job2);
        Assert.Equal(TrainingJobState.Succeeded, done.State);
        Assert.True(job2.History()[0].Step > 3, $"resumed at step {job2.History()[0].Step}");
        Assert.Equal(12, job2.History()[^1].Step);
        Assert.NotNull(_harness.Registry.Get("resumed"));
    }

    [Fact]
    public async Task A_job_survives_its_adapter_id_being_unloaded_while_it_trains()
    {
        await _harness.Registry.RegisterAsync("mine", "llama/adapters/lora_qv", replace: false);
        using var hold = _harness.Engine.TestHooks.HoldAt(EnginePoint.AfterBackgroundUnit, _ => AtStep(2));
        var job = _manager.Get((await _manager.StartAsync(Spec("mine", steps: 8, replace: true), Data(0, 40), null)).JobId);
        await hold.Reached;   // 6 of 8 steps still to train
        _harness.Registry.Unregister("mine");
        hold.Release();
        var done = await Finished(job);
        Assert.Equal(TrainingJobState.Succeeded, done.State);
        Assert.Equal(done.AdapterVersion, _harness.Registry.Get("mine").ContentHash);
    }

    [Fact]
    public async Task Serving_stays_batch_invariant_while_a_job_trains()
    {
        await _harness.RegisterFamilyAdaptersAsync("llama");
        var requests = Enumerable.Range(0, 12).Select(i => (Prompt: new[] { 1, 30 + i, 200 - i, 7 }, Adapter: i % 3 == 0 ? null : i % 3 == 1 ? "lora_all" : "prefix")).ToArray();
        var alone = new List<IReadOnlyList<int>>();
        foreach (var r in requests)
            alone.Add((await EngineHarness.CollectAsync(_harness.Submit(r.Prompt, r.Adapter, new SamplingParams { MaxNewTokens = 10 }))).Tokens);

        var info = await _manager.StartAsync(Spec("background", steps: 10_000), Data(0, 40), null);
        var job = _manager.Get(info.JobId);
        await foreach (var e in job.Watch().ReadAllAsync())
            if (e.Progress is { Step: >= 1 }) break;
        var together = await Task.WhenAll(requests.Select(r => EngineHarness.CollectAsync(_harness.Submit(r.Prompt, r.Adapter, new SamplingParams { MaxNewTokens = 10 }))));
        Assert.Equal(TrainingJobState.Running, job.State);
        for (int i = 0; i < requests.Length; i++) Assert.Equal(alone[i], together[i].Tokens);
        _manager.Cancel(info.JobId);
        await Finished(job);
    }

    /// <summary>On the engine thread: a job has reported optimizer step <paramref name="step"/> or later.</summary>
    private bool AtStep(int step) => _manager.List().Any(j => j.Progress?.Step >= step);

    public async ValueTask DisposeAsync()
    {
        await _harness.DisposeAsync();
        _manager.Dispose();
        if (Directory.Exists(_jobs)) Directory.Delete(_jobs, recursive: true);
    }
}
