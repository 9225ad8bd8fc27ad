using Google.Protobuf;
using Grpc.Core;
using Peft.Protos.V1;
using Peft.Server.Tests.Support;
using Peft.Testing;

namespace Peft.Server.Tests;

public sealed class ContainmentServer : SharedServer
{
    public string DataRoot { get; } = Fixtures.TempDirectory("peft-data");

    public string Outside { get; } = Fixtures.TempDirectory("peft-outside");

    protected override string[] Arguments => [$"--Training:DataRoot={DataRoot}"];
}

/// <summary>
/// Caller-named paths stay inside their root through one shared check (a linked directory inside the root does not
/// lead out), and no answer shows the server's directories: roots are named by their configuration keys.
/// </summary>
public sealed class ContainmentTests(ContainmentServer fixture) : IClassFixture<ContainmentServer>
{
    private static string Jsonl(int count) => string.Join('\n', Enumerable.Range(0, count)
        .Select(i => $"{{\"prompt\": \"item {i} =>\", \"completion\": \" {(i % 2 == 0 ? "even" : "odd")}\"}}"));

    [Fact]
    public async Task A_dataset_reached_through_a_linked_directory_inside_the_data_root_is_permission_denied()
    {
        await File.WriteAllTextAsync(Path.Combine(fixture.Outside, "secret.jsonl"), Jsonl(8));
        string link = Path.Combine(fixture.DataRoot, "linked");
        if (!Directory.Exists(link)) Directory.CreateSymbolicLink(link, fixture.Outside);
        var request = new StartTrainingRequest { AdapterId = "escape", Lora = new LoraMethod { R = 4 }, TrainPath = "linked/secret.jsonl" };

        string detail = await Requests.Fails(StatusCode.PermissionDenied, () => fixture.Client.StartTrainingAsync(request));

        Assert.Contains("symbolic link", detail);
        Assert.DoesNotContain(fixture.Outside, detail);
        Assert.DoesNotContain(fixture.DataRoot, detail);
        Assert.Empty(await fixture.Client.ListTrainingJobsAsync());
        Assert.Equal(8, (await fixture.Client.GenerateAsync(Requests.Ids())).TokenIds.Count);
    }

    [Fact]
    public async Task An_adapter_reached_through_a_linked_directory_inside_a_root_is_permission_denied_by_the_same_rule()
    {
        string outside = Fixtures.TempDirectory("peft-adapter-outside");
        string root = Fixtures.TempDirectory("peft-adapter-root");
        try
        {
            foreach (var file in Directory.GetFiles(Fixtures.LlamaAdapter("lora_qv"))) File.Copy(file, Path.Combine(outside, Path.GetFileName(file)));
            Directory.CreateSymbolicLink(Path.Combine(root, "linked"), outside);
            await using var server = await LoopbackServer.StartAsync(null, $"--Adapters:Roots:0={root}");
            using var client = server.CreateClient();

            string detail = await Requests.Fails(StatusCode.PermissionDenied, () => client.LoadAdapterAsync("escape", "linked"));

            Assert.Contains("symbolic link", detail);
            Assert.DoesNotContain(root, detail);
            Assert.Contains("<Adapters:Roots:0>", detail);
        }
        finally
        {
            Fixtures.TryDelete(outside);
            Fixtures.TryDelete(root);
        }
    }

    [Fact]
    public async Task Admin_errors_name_roots_by_their_configuration_key_never_by_their_path()
    {
        string notFound = await Requests.Fails(StatusCode.NotFound, () => fixture.Client.LoadAdapterAsync("x", "no/such/adapter"));
        Assert.DoesNotContain(Fixtures.HfRoot, notFound);
        Assert.DoesNotContain(fixture.Server.StoreDirectory, notFound);
        Assert.Contains("<Adapters:Roots:0>", notFound);

        string missing = await Requests.Fails(StatusCode.NotFound, () => fixture.Client.StartTrainingAsync(
            new StartTrainingRequest { AdapterId = "x", Lora = new LoraMethod { R = 4 }, TrainPath = "absent.jsonl" }));
        Assert.DoesNotContain(fixture.DataRoot, missing);
    }

    [Fact]
    public async Task A_finished_job_shows_its_last_step_and_loss_after_a_restart()
    {
        string store = Fixtures.TempDirectory("peft-store");
        try
        {
            TrainingJob finished;
            await using (var first = await LoopbackServer.StartAsync(null, [], null, store))
            {
                using var client = first.CreateClient();
                var job = await client.StartTrainingAsync(new StartTrainingRequest
                {
                    AdapterId = "restarted",
                    Lora = new LoraMethod { R = 4, LoraAlpha = 8 },
                    Hyperparameters = new TrainingHyperparameters { LearningRate = 1e-2, MaxSteps = 3, BatchSize = 8 },
                    TrainJsonl = ByteString.CopyFromUtf8(Jsonl(16)),
                });
                await foreach (var _ in client.WatchTrainingAsync(job.JobId)) { }
                finished = await client.GetTrainingJobAsync(job.JobId);
            }
            await using var second = await LoopbackServer.StartAsync(null, [], null, store);
            using var again = second.CreateClient();

            var shown = await again.GetTrainingJobAsync(finished.JobId);

            Assert.Equal(TrainingJobState.Succeeded, shown.State);
            Assert.Equal(3u, shown.Progress.Step);
            Assert.Equal(3u, shown.Progress.TotalSteps);
            Assert.Equal(finished.Progress.Loss, shown.Progress.Loss);
            Assert.Equal(finished.AdapterVersion, (await again.GetAdapterAsync("restarted")).Version);
            Assert.Equal(finished.AdapterVersion, shown.AdapterVersion);
            Assert.Equal(finished.FinishedAt, shown.FinishedAt);
        }
        finally
        {
            Fixtures.TryDelete(store);
            Fixtures.TryDelete(store + "-jobs");
        }
    }
}
