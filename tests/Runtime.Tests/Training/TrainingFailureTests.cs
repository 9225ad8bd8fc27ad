using System.Text;
using Peft.Runtime.Engine;
using Peft.Runtime.Engine.Output;
using Peft.Runtime.Engine.Sampling;
using Peft.Runtime.Tests.Engine;
using Peft.Runtime.Tokenization;
using Peft.Runtime.Training;
using Peft.Runtime.Training.Datasets;
using Peft.Runtime.Training.Jobs;
using Peft.Runtime.Training.Methods;
using Peft.Testing;

namespace Peft.Runtime.Tests.Training;

/// <summary>
/// What fails a training job fails that job only: a full disk while it trains (checkpoint, record, adapter) ends it
/// Failed with the reason, serving goes on, and after a restart on the still-full disk it fails again instead of
/// ending the process. Requests refused at the door leave nothing behind.
/// </summary>
public sealed class TrainingFailureTests : IAsyncDisposable
{
    private static readonly EngineOptions Options = new() { KvCacheBytes = 4 << 20, KvBlockSize = 4, LoraSlots = 4, MaxLoraRank = 8 };
    private static readonly int[] Prompt = [1, 272, 109, 383, 218];
    private readonly string _jobs = Path.Combine(Path.GetTempPath(), $"peft-jobs-{Guid.NewGuid():N}");
    private readonly ModelTokenizer _tokenizer = ModelTokenizer.Load(TextModel.Path);
    private readonly FullDisk _disk;
    private EngineHarness _harness;
    private TrainingJobManager _manager;

    public TrainingFailureTests()
    {
        _disk = new FullDisk(_jobs);
        (_harness, _manager) = Start();
    }

    private (EngineHarness, TrainingJobManager) Start()
    {
        var harness = new EngineHarness("llama", Options, new TokenizerDecoder(_tokenizer));
        var manager = new TrainingJobManager(harness.Model, _tokenizer, harness.Registry, new TrainingJobOptions { JobsDirectory = _jobs, Writes = _disk });
        manager.Attach(harness.Engine);
        return (harness, manager);
    }

    private static byte[] Data(int count) => Encoding.UTF8.GetBytes(string.Join('\n', Enumerable.Range(0, count)
        .Select(i => $"{{\"prompt\": \"item {i} =>\", \"completion\": \" {(i % 2 == 0 ? "even" : "odd")}\"}}")));

    private static TrainingJobSpec Spec(string id) => new()
    {
        AdapterId = id,
        Method = new LoraSpec(new LoraTrainingConfig { Rank = 4, Alpha = 8, Dropout = 0 }),
        Trainer = new TrainerOptions { LearningRate = 1e-2, MaxSteps = 6, MicroBatchSize = 8, WarmupSteps = 1, EvalEvery = 3, CheckpointEvery = 2 },
    };

    private static async Task<TrainingJobInfo> Finished(TrainingJob job)
    {
        TrainingJobInfo last = job.Snapshot();
        await foreach (var e in job.Watch().ReadAllAsync()) last = e.Job;
        return last;
    }

    [Fact]
    public async Task A_disk_that_fills_while_a_job_trains_fails_the_job_and_serving_goes_on_also_after_a_restart()
    {
        var expected = await EngineHarness.CollectAsync(_harness.Submit(Prompt, sampling: new SamplingParams { MaxNewTokens = 5 }));
        // The disk fills when the first checkpoint is written: from then on nothing under the jobs directory can be.
        bool filled = false;
        _disk.FailWhen(path => filled |= path.Contains("/checkpoint", StringComparison.Ordinal));

        var info = await _manager.StartAsync(Spec("full"), Data(24), null);
        var done = await Finished(_manager.Get(info.JobId));

        Assert.Equal(TrainingJobState.Failed, done.State);
        Assert.Contains("the disk is full", done.Error);
        Assert.Contains("its record could not be saved", done.Error);
        var served = await EngineHarness.CollectAsync(_harness.Submit(Prompt, sampling: new SamplingParams { MaxNewTokens = 5 }));
        Assert.Equal(expected.Tokens, served.Tokens);
        Assert.Null(_harness.Engine.Fault);

        // The record still says Running: after a restart the job runs again, and fails again on the full disk.
        await _harness.DisposeAsync();
        _manager.Dispose();
        (_harness, _manager) = Start();
        Assert.Equal(info.JobId, Assert.Single(_manager.Recover()).JobId);
        var again = await Finished(_manager.Get(info.JobId));
        Assert.Equal(TrainingJobState.Failed, again.State);
        served = await EngineHarness.CollectAsync(_harness.Submit(Prompt, sampling: new SamplingParams { MaxNewTokens = 5 }));
        Assert.Equal(expected.Tokens, served.Tokens);
    }

    [Fact]
    public async Task A_job_refused_for_a_full_disk_is_resource_exhausted_and_leaves_no_directory()
    {
        _disk.Fill();
        var e = await Assert.ThrowsAsync<Storage.StorageFullException>(() => _manager.StartAsync(Spec("refused"), Data(8), null));
        Assert.Contains("disk is full", e.Message);
        Assert.Empty(_manager.List());
        Assert.Empty(Directory.GetDirectories(_jobs));
    }

    public static TheoryData<string, Func<TrainingJobSpec, TrainingJobSpec>> NotFinite => new()
    {
        { "weight_decay", s => s with { Trainer = s.Trainer with { WeightDecay = double.NaN } } },
        { "max_grad_norm", s => s with { Trainer = s.Trainer with { MaxGradNorm = double.NaN } } },
        { "learning_rate", s => s with { Trainer = s.Trainer with { LearningRate = double.PositiveInfinity } } },
        { "epochs", s => s with { Trainer = s.Trainer with { MaxSteps = 0, Epochs = double.NaN } } },
        { "lora_dropout", s => s with { Method = new LoraSpec(new LoraTrainingConfig { Dropout = double.NaN }) } },
        { "lora_alpha", s => s with { Method = new LoraSpec(new LoraTrainingConfig { Alpha = double.NegativeInfinity }) } },
        { "validation_fraction", s => s with { ValidationFraction = double.NaN } },
    };

    [Theory]
    [MemberData(nameof(NotFinite))]
    public async Task A_number_that_is_not_finite_is_refused_by_name_and_leaves_nothing(string field, Func<TrainingJobSpec, TrainingJobSpec> spoil)
    {
        var e = await Assert.ThrowsAsync<TrainingJobException>(() => _manager.StartAsync(spoil(Spec("nan")), Data(8), null));
        Assert.Equal(TrainingJobError.InvalidArgument, e.Error);
        Assert.StartsWith($"{field} is ", e.Message);
        Assert.Contains("must be a finite number", e.Message);
        Assert.Empty(_manager.List());
        Assert.Empty(Directory.GetDirectories(_jobs));
        // The manager still takes good jobs.
        var ok = await _manager.StartAsync(Spec("ok") with { Trainer = Spec("ok").Trainer with { MaxSteps = 1, CheckpointEvery = 0 } }, Data(8), null);
        Assert.Equal(TrainingJobState.Succeeded, (await Finished(_manager.Get(ok.JobId))).State);
    }

    [Fact]
    public void Reading_a_dataset_stops_when_the_caller_cancels()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            JsonlDataset.Read(new MemoryStream(Data(8)), _tokenizer, new DatasetOptions(), "training data", cancelled.Token));
    }

    public async ValueTask DisposeAsync()
    {
        await _harness.DisposeAsync();
        _manager.Dispose();
        if (Directory.Exists(_jobs)) Directory.Delete(_jobs, recursive: true);
    }
}
