using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Peft.Protos.V1;
using Peft.Server.Tests.Support;
using Peft.Testing;

namespace Peft.Server.Tests;

public sealed class TrainingServer : SharedServer
{
    public string DataRoot { get; } = Fixtures.TempDirectory("peft-data");

    protected override string[] Arguments => [$"--Training:DataRoot={DataRoot}", "--Training:MaxDatasetBytes=200000"];
}

/// <summary>The Training service end to end over loopback with the real client, on the tiny Llama with a tokenizer.</summary>
public sealed class TrainingApiTests(TrainingServer fixture) : IClassFixture<TrainingServer>
{
    /// <summary>"item 17 =>" → " odd".</summary>
    private static string Jsonl(int first, int count) => string.Join('\n', Enumerable.Range(first, count)
        .Select(i => $"{{\"prompt\": \"item {i} =>\", \"completion\": \" {(i % 2 == 0 ? "even" : "odd")}\"}}"));

    private static StartTrainingRequest Lora(string id, uint steps = 12) => new()
    {
        AdapterId = id,
        Lora = new LoraMethod { R = 4, LoraAlpha = 8 },
        Hyperparameters = new TrainingHyperparameters { LearningRate = 1e-2, MaxSteps = steps, BatchSize = 8, EvalEvery = 4 },
        ValidationFraction = 0.1,
    };

    private async Task<TrainingJob> FollowAsync(string jobId)
    {
        TrainingJob? last = null;
        await foreach (var e in fixture.Client.WatchTrainingAsync(jobId)) last = e.Job;
        return last!;
    }

    [Fact]
    public async Task A_job_started_by_upload_streams_progress_registers_and_serves()
    {
        string file = Path.Combine(fixture.DataRoot, "upload.jsonl");
        await File.WriteAllTextAsync(file, Jsonl(0, 60));
        var job = await fixture.Client.StartTrainingAsync(Lora("uploaded"), file, null);
        Assert.Equal(TrainingJobState.Queued, job.State);
        Assert.Equal("LORA", job.PeftType);

        var steps = new List<TrainingProgress>();
        TrainingJob? last = null;
        await foreach (var e in fixture.Client.WatchTrainingAsync(job.JobId))
        {
            if (e.Progress is { } p) steps.Add(p);
            last = e.Job;
        }
        Assert.Equal(TrainingJobState.Succeeded, last!.State);
        Assert.Equal(Enumerable.Range(0, 13).Select(i => (uint)i), steps.Select(s => s.Step));
        Assert.True(double.IsNaN(steps[0].Loss) && steps[0].HasEvalLoss);
        Assert.All(steps, s => Assert.Equal(12u, s.TotalSteps));
        Assert.True(steps.Last().HasEvalLoss);

        var adapter = await fixture.Client.GetAdapterAsync("uploaded");
        Assert.Equal(last.AdapterVersion, adapter.Version);
        var generated = await fixture.Client.GenerateAsync(new GenerateRequest { AdapterId = "uploaded", Text = "item 3 =>", Sampling = new SamplingParams { MaxNewTokens = 3 } });
        Assert.Equal(adapter.Version, generated.AdapterVersion);

        var shown = await fixture.Client.GetTrainingJobAsync(job.JobId);
        Assert.Equal(13, shown.History.Count);
        Assert.Contains(await fixture.Client.ListTrainingJobsAsync(), j => j.JobId == job.JobId && j.State == TrainingJobState.Succeeded);
    }

    [Fact]
    public async Task Jobs_start_from_inline_data_and_from_a_path_under_the_data_root()
    {
        var inline = Lora("inline", steps: 2);
        inline.TrainJsonl = ByteString.CopyFromUtf8(Jsonl(0, 20));
        var byPath = Lora("by-path", steps: 2);
        await File.WriteAllTextAsync(Path.Combine(fixture.DataRoot, "train.jsonl"), Jsonl(0, 20));
        byPath.TrainPath = "train.jsonl";

        var a = await fixture.Client.StartTrainingAsync(inline);
        var b = await fixture.Client.StartTrainingAsync(byPath);
        Assert.Equal(TrainingJobState.Succeeded, (await FollowAsync(a.JobId)).State);
        Assert.Equal(TrainingJobState.Succeeded, (await FollowAsync(b.JobId)).State);
    }

    [Fact]
    public async Task Cancelling_a_running_job_registers_nothing()
    {
        var request = Lora("never", steps: 100_000);
        request.TrainJsonl = ByteString.CopyFromUtf8(Jsonl(0, 40));
        var job = await fixture.Client.StartTrainingAsync(request);
        await foreach (var e in fixture.Client.WatchTrainingAsync(job.JobId))
            if (e.Progress is { Step: >= 1 }) break;
        await fixture.Client.CancelTrainingAsync(job.JobId);
        Assert.Equal(TrainingJobState.Cancelled, (await FollowAsync(job.JobId)).State);
        var e2 = await Assert.ThrowsAsync<RpcException>(() => fixture.Client.GetAdapterAsync("never"));
        Assert.Equal(StatusCode.NotFound, e2.StatusCode);
    }

    /// <summary>Methods trained from PEFT's own config JSON: one row per trainable method.</summary>
    public static TheoryData<string, string, string> PeftConfigs => new()
    {
        { "dora", "LORA", """{"peft_type": "LORA", "use_dora": true, "r": 4, "lora_alpha": 8, "target_modules": ["q_proj", "v_proj"]}""" },
        { "ia3", "IA3", """{"peft_type": "IA3", "target_modules": ["k_proj", "v_proj", "down_proj"], "feedforward_modules": ["down_proj"]}""" },
    };

    [Theory]
    [MemberData(nameof(PeftConfigs))]
    public async Task A_method_given_as_its_peft_config_trains_registers_and_serves(string id, string peftType, string config)
    {
        var request = new StartTrainingRequest
        {
            AdapterId = $"cfg-{id}",
            PeftConfig = config,
            Hyperparameters = new TrainingHyperparameters { LearningRate = 1e-2, MaxSteps = 3, BatchSize = 8 },
            TrainJsonl = ByteString.CopyFromUtf8(Jsonl(0, 24)),
        };
        var job = await fixture.Client.StartTrainingAsync(request);
        Assert.Equal(peftType, job.PeftType);
        var last = await FollowAsync(job.JobId);
        Assert.True(last.State == TrainingJobState.Succeeded, last.Error);

        var adapter = await fixture.Client.GetAdapterAsync($"cfg-{id}");
        Assert.Equal(peftType, adapter.PeftType);
        var generated = await fixture.Client.GenerateAsync(new GenerateRequest { AdapterId = $"cfg-{id}", Text = "item 3 =>", Sampling = new SamplingParams { MaxNewTokens = 3 } });
        Assert.Equal(adapter.Version, generated.AdapterVersion);
    }

    [Fact]
    public async Task A_peft_config_the_server_cannot_train_is_invalid_and_names_the_field()
    {
        var request = new StartTrainingRequest
        {
            AdapterId = "cfg-bad",
            PeftConfig = """{"peft_type": "LORA", "use_dora": true, "r": 4, "target_modules": ["q_proj"], "layer_replication": [[0, 2]]}""",
            TrainJsonl = ByteString.CopyFromUtf8(Jsonl(0, 4)),
        };
        var e = await Assert.ThrowsAsync<RpcException>(() => fixture.Client.StartTrainingAsync(request));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("layer_replication", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_bad_request_gets_a_precise_status()
    {
        async Task<RpcException> Refused(StartTrainingRequest r) => await Assert.ThrowsAsync<RpcException>(() => fixture.Client.StartTrainingAsync(r));

        var badLine = Lora("bad");
        badLine.TrainJsonl = ByteString.CopyFromUtf8("{\"prompt\": \"a\", \"completion\": \" b\"}\n{\"prompt\": \"a\"}\n");
        var e = await Refused(badLine);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("training data line 2: missing field 'completion'", e.Status.Detail);

        var noMethod = new StartTrainingRequest { AdapterId = "x", TrainJsonl = ByteString.CopyFromUtf8(Jsonl(0, 4)) };
        Assert.Equal(StatusCode.InvalidArgument, (await Refused(noMethod)).StatusCode);

        var badRate = Lora("x");
        badRate.TrainJsonl = ByteString.CopyFromUtf8(Jsonl(0, 4));
        badRate.Hyperparameters.LearningRate = 50;
        Assert.Contains("learning_rate 50", (await Refused(badRate)).Status.Detail);

        var escape = Lora("x");
        escape.TrainPath = "../etc/passwd";
        Assert.Equal(StatusCode.InvalidArgument, (await Refused(escape)).StatusCode);

        var missing = Lora("x");
        missing.TrainPath = "no-such.jsonl";
        Assert.Equal(StatusCode.NotFound, (await Refused(missing)).StatusCode);

        var huge = Lora("x");
        huge.TrainJsonl = ByteString.CopyFromUtf8(Jsonl(0, 6000));
        Assert.Equal(StatusCode.ResourceExhausted, (await Refused(huge)).StatusCode);

        await fixture.Client.LoadAdapterAsync("taken", "llama/adapters/lora_qv");
        var exists = Lora("taken");
        exists.TrainJsonl = ByteString.CopyFromUtf8(Jsonl(0, 4));
        Assert.Equal(StatusCode.AlreadyExists, (await Refused(exists)).StatusCode);

        var unknown = await Assert.ThrowsAsync<RpcException>(() => fixture.Client.GetTrainingJobAsync("job-nope"));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Training_without_a_tokenizer_is_a_failed_precondition()
    {
        await using var server = await LoopbackServer.StartAsync(Fixtures.LlamaBase);
        using var client = server.CreateClient();
        var request = Lora("x");
        request.TrainJsonl = ByteString.CopyFromUtf8(Jsonl(0, 4));
        var e = await Assert.ThrowsAsync<RpcException>(() => client.StartTrainingAsync(request));
        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
        Assert.Contains("no tokenizer", e.Status.Detail);
    }

    [Fact]
    public async Task Training_is_admin_only()
    {
        using var client = new Peft.Client.PeftClient(new Peft.Client.PeftClientOptions { Address = fixture.Server.Address, AdminAddress = fixture.Server.AdminAddress, MaxAttempts = 1 });
        var e = await Assert.ThrowsAsync<RpcException>(() => client.ListTrainingJobsAsync());
        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
    }
}
