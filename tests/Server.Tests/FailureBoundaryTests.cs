using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.DependencyInjection;
using Peft.Protos.V1;
using Peft.Runtime.Storage;
using Peft.Server.Hosting;
using Peft.Server.Tests.Support;
using Peft.Testing;

namespace Peft.Server.Tests;

/// <summary>
/// docs/architecture.md "Failure boundaries", end to end: a full disk fails the training job that hit it (everyone
/// else is served, the process lives); a fault in the engine's own code marks the server NOT_SERVING with the
/// reason and answers UNAVAILABLE, with the process still up to say so.
/// </summary>
public sealed class FailureBoundaryTests
{
    private static string Jsonl(int count) => string.Join('\n', Enumerable.Range(0, count)
        .Select(i => $"{{\"prompt\": \"item {i} =>\", \"completion\": \" {(i % 2 == 0 ? "even" : "odd")}\"}}"));

    [Fact]
    public async Task A_disk_that_fills_during_training_fails_that_job_and_everyone_else_is_still_served()
    {
        string store = Fixtures.TempDirectory("peft-store");
        var disk = new FullDisk(store + "-jobs");
        try
        {
            await using var server = await LoopbackServer.StartAsync(null, [], s => s.AddSingleton<FileWrites>(disk), store);
            using var client = server.CreateClient();
            var expected = await client.GenerateAsync(Requests.Ids());
            bool filled = false;
            disk.FailWhen(path => filled |= path.Contains("/checkpoint", StringComparison.Ordinal));

            var job = await client.StartTrainingAsync(new StartTrainingRequest
            {
                AdapterId = "filled",
                Lora = new LoraMethod { R = 4, LoraAlpha = 8 },
                Hyperparameters = new TrainingHyperparameters { LearningRate = 1e-2, MaxSteps = 6, BatchSize = 8, CheckpointEvery = 2 },
                TrainJsonl = Google.Protobuf.ByteString.CopyFromUtf8(Jsonl(24)),
            });
            TrainingJob? last = null;
            await foreach (var e in client.WatchTrainingAsync(job.JobId)) last = e.Job;

            Assert.Equal(TrainingJobState.Failed, last!.State);
            Assert.Contains("the disk is full", last.Error);
            Assert.Equal(expected.TokenIds, (await client.GenerateAsync(Requests.Ids())).TokenIds);
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, await client.CheckHealthAsync());
            // A new job while the disk is full is refused as exhausted storage, not a server fault, and lists nothing new.
            disk.Fill();
            string detail = await Requests.Fails(StatusCode.ResourceExhausted, () => client.StartTrainingAsync(new StartTrainingRequest
            {
                AdapterId = "refused",
                Lora = new LoraMethod { R = 4 },
                TrainJsonl = Google.Protobuf.ByteString.CopyFromUtf8(Jsonl(8)),
            }));
            Assert.Contains("disk is full", detail);
            Assert.Single(await client.ListTrainingJobsAsync());
        }
        finally
        {
            Fixtures.TryDelete(store);
            Fixtures.TryDelete(store + "-jobs");
        }
    }

    [Fact]
    public async Task Unload_with_the_store_disk_full_is_resource_exhausted_and_changes_nothing()
    {
        string store = Fixtures.TempDirectory("peft-store");
        var disk = new FullDisk(store);
        try
        {
            await using var server = await LoopbackServer.StartAsync(null, [], s => s.AddSingleton<FileWrites>(disk), store);
            using var client = server.CreateClient();
            await client.LoadAdapterAsync("kept", "llama/adapters/lora_qv");
            var before = await client.GenerateAsync(Requests.Ids(adapter: "kept"));

            disk.Fill();
            string detail = await Requests.Fails(StatusCode.ResourceExhausted, () => client.UnloadAdapterAsync("kept"));

            Assert.Contains("disk is full", detail);
            Assert.Equal(before.TokenIds, (await client.GenerateAsync(Requests.Ids(adapter: "kept"))).TokenIds);
            Assert.Single(await client.ListAdaptersAsync());
            disk.Free();
            await client.UnloadAdapterAsync("kept");
            Assert.Empty(await client.ListAdaptersAsync());
        }
        finally
        {
            Fixtures.TryDelete(store);
            Fixtures.TryDelete(store + "-jobs");
        }
    }

    [Fact]
    public async Task A_failed_upload_under_a_new_id_leaves_no_folder_behind()
    {
        await using var server = await LoopbackServer.StartAsync();
        using var client = server.CreateClient();
        string bad = Fixtures.TempDirectory("peft-bad-adapter");
        try
        {
            File.WriteAllText(Path.Combine(bad, "adapter_config.json"), "{\"peft_type\": \"LORA\", \"r\": 4}");
            File.WriteAllBytes(Path.Combine(bad, "adapter_model.safetensors"), [1, 2, 3]);

            await Requests.Fails(StatusCode.InvalidArgument, () => client.UploadAdapterAsync("fresh", bad));

            string adapters = Path.Combine(server.StoreDirectory, "adapters");
            Assert.Empty(Directory.GetFileSystemEntries(adapters));
            Assert.Equal(8, (await client.GenerateAsync(Requests.Ids())).TokenIds.Count);
        }
        finally
        {
            Fixtures.TryDelete(bad);
        }
    }

    [Fact]
    public async Task A_fault_in_the_engine_marks_the_server_not_serving_and_calls_unavailable_while_the_process_lives()
    {
        var clock = new EngineThreadFault();
        await using var server = await LoopbackServer.StartAsync(null, [], s => s.AddSingleton<TimeProvider>(clock));
        using var client = server.CreateClient();
        var faulted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Model.Engine.Faulted += _ => faulted.TrySetResult();
        Assert.Equal(8, (await client.GenerateAsync(Requests.Ids())).TokenIds.Count);

        clock.Arm();
        string inFlight = await Requests.Fails(StatusCode.Unavailable, () => client.GenerateAsync(Requests.Ids()));
        await faulted.Task.WaitAsync(Waits.Cap);

        Assert.Contains(EngineThreadFault.Message, inFlight);
        var health = await new Health.HealthClient(server.Channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, health.Status);
        Assert.Equal(ServingState.Faulted, server.Services.GetRequiredService<ModelHost>().State);
        string next = await Requests.Fails(StatusCode.Unavailable, () => client.GenerateAsync(Requests.Ids()));
        Assert.Contains("restarted", next);
        Assert.Contains(EngineThreadFault.Message, await Requests.Fails(StatusCode.Unavailable, () => client.ListAdaptersAsync()));
    }
}
