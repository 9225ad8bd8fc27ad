using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Peft.Client;
using Peft.Protos.V1;
using Peft.Runtime.Adapters.Storage;
using Peft.Server.Tests.Support;
using Peft.Testing;

namespace Peft.Server.Tests;

/// <summary>
/// Replicas sharing one adapter store: real server processes on loopback (and, where only the first-request path
/// is the point, two in-process servers with the store follower taken out). What one registers, trains, replaces
/// or unloads, the other serves at the same content-hash version without a restart; a replica starting never
/// touches another's upload in progress. Each step waits for an observable state (with a cap), never for a time.
/// </summary>
public sealed class SharedStoreTests
{
    private static readonly TimeSpan Cap = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_registration_replace_and_unload_on_one_replica_are_served_by_the_other()
    {
        await using var replicas = await Replicas.StartAsync();
        var (onA, onB) = (replicas.OnA, replicas.OnB);

        // Registered on A; B reads the manifest for the unknown id on its first request.
        var first = await onA.UploadAdapterAsync("shared", Fixtures.LlamaAdapter("lora_qv"));
        var served = await onB.GenerateAsync(Requests.Ids(maxNewTokens: 3, adapter: "shared"));
        Assert.Equal(3, served.TokenIds.Count);
        Assert.Equal(first.Version, served.AdapterVersion);

        // Replaced on A by another adapter: B follows to the new version.
        var second = await onA.UploadAdapterAsync("shared", Fixtures.LlamaAdapter("lora_all"), replace: true);
        Assert.NotEqual(first.Version, second.Version);
        await WaitFor(async () => (await onB.GetAdapterAsync("shared")).Version == second.Version);
        var replaced = await onB.GenerateAsync(Requests.Ids(maxNewTokens: 3, adapter: "shared"));
        Assert.Equal(second.Version, replaced.AdapterVersion);

        // Unloaded on B this time (B registered nothing itself): A forgets it and answers NOT_FOUND.
        await onB.UnloadAdapterAsync("shared");
        await WaitFor(async () => (await onA.ListAdaptersAsync()).All(a => a.AdapterId != "shared"));
        await Requests.Fails(StatusCode.NotFound, () => onA.GenerateAsync(Requests.Ids(adapter: "shared")));
        // Its files go once no request runs on it (a lease may end just after the reply that used it was sent).
        await WaitFor(() => Task.FromResult(!Directory.EnumerateFileSystemEntries(Path.Combine(replicas.Store, "adapters")).Any()));
    }

    [Fact]
    public async Task An_adapter_trained_on_one_replica_is_served_by_the_other_at_the_same_version_over_both_edges()
    {
        await using var replicas = await Replicas.StartAsync();
        var request = new StartTrainingRequest
        {
            AdapterId = "trained",
            Lora = new LoraMethod { R = 4, LoraAlpha = 8 },
            Hyperparameters = new TrainingHyperparameters { LearningRate = 1e-2, MaxSteps = 2, BatchSize = 4 },
            TrainJsonl = ByteString.CopyFromUtf8(string.Join('\n', Enumerable.Range(0, 16)
                .Select(i => $"{{\"prompt\": \"item {i} =>\", \"completion\": \" {(i % 2 == 0 ? "even" : "odd")}\"}}"))),
        };
        var job = await replicas.OnA.StartTrainingAsync(request);
        TrainingJob? last = null;
        await foreach (var e in replicas.OnA.WatchTrainingAsync(job.JobId)) last = e.Job;
        Assert.Equal(TrainingJobState.Succeeded, last!.State);

        // B never saw the job: its first request for the id reads the manifest.
        var generated = await replicas.OnB.GenerateAsync(Requests.Text("item 3 =>", maxNewTokens: 3, adapter: "trained"));
        Assert.Equal(last.AdapterVersion, generated.AdapterVersion);
        using var http = new HttpClient { BaseAddress = replicas.B.Address, Timeout = Cap };
        using var completion = await http.PostAsJsonAsync("/v1/completions", new { model = "trained", prompt = "item 5 =>", max_tokens = 3 });
        Assert.Equal(200, (int)completion.StatusCode);
        var model = await http.GetFromJsonAsync<JsonObject>("/v1/models/trained");
        Assert.Equal(last.AdapterVersion, (string?)model!["version"]);
    }

    [Fact]
    public async Task A_replica_starting_leaves_another_replicas_upload_in_progress_alone()
    {
        string store = Fixtures.TempDirectory("peft-shared-store");
        try
        {
            await using var a = await ServerProcess.StartAsync(store, store + "-jobs-a");
            using var channel = GrpcChannel.ForAddress(a.AdminAddress);
            var admin = new Peft.Protos.V1.Adapters.AdaptersClient(channel);
            using var call = admin.UploadAdapter(new Metadata { { PeftClient.ApiKeyHeader, LoopbackServer.AdminKey } }, DateTime.UtcNow.Add(Cap));
            string adapter = Fixtures.LlamaAdapter("lora_qv");
            await call.RequestStream.WriteAsync(new UploadAdapterChunk { Header = new UploadHeader { AdapterId = "in-flight" } });
            await call.RequestStream.WriteAsync(File("adapter_config.json", adapter));
            // A has received the config into its staging slot: the upload is in progress.
            string incoming = Path.Combine(store, ".incoming");
            await WaitFor(() => Task.FromResult(Directory.EnumerateFiles(incoming, "adapter_config.json", SearchOption.AllDirectories).Any()));
            string staged = Path.GetDirectoryName(Directory.EnumerateFiles(incoming, "adapter_config.json", SearchOption.AllDirectories).Single())!;

            // B starts on the same store (its start-up clean-up runs) while A's upload is open.
            await using var b = await ServerProcess.StartAsync(store, store + "-jobs-b");
            Assert.True(System.IO.File.Exists(Path.Combine(staged, "adapter_config.json")), "B's start removed A's upload in progress");

            await call.RequestStream.WriteAsync(File("adapter_model.safetensors", adapter));
            await call.RequestStream.CompleteAsync();
            var registered = await call.ResponseAsync;
            Assert.False(Directory.Exists(staged));
            using var onB = b.CreateClient();
            var served = await onB.GenerateAsync(Requests.Ids(maxNewTokens: 2, adapter: "in-flight"));
            Assert.Equal(registered.Version, served.AdapterVersion);
        }
        finally
        {
            foreach (string path in (string[])[store, store + "-jobs-a", store + "-jobs-b"]) Fixtures.TryDelete(path);
        }
    }

    [Fact]
    public async Task An_adapter_registered_on_another_replica_is_served_over_HTTP_on_its_first_request()
    {
        string store = Fixtures.TempDirectory("peft-shared-store");
        try
        {
            await using var a = await LoopbackServer.StartAsync(null, [], null, store);
            // B without its store follower: only the first-request lookup can find what A registers.
            await using var b = await LoopbackServer.StartAsync(null, [$"--Training:JobsDirectory={store}-jobs-b"], WithoutStoreFollower, store);
            using var onA = a.CreateClient();
            var registered = await onA.LoadAdapterAsync("elsewhere", "llama/adapters/prefix");

            using var http = new HttpClient { BaseAddress = b.Address, Timeout = Cap };
            using var completion = await http.PostAsJsonAsync("/v1/completions", new { model = "elsewhere", prompt = "item 5 =>", max_tokens = 2 });
            Assert.Equal(200, (int)completion.StatusCode);
            Assert.Equal("elsewhere", (string?)(await completion.Content.ReadFromJsonAsync<JsonObject>())!["model"]);
            Assert.Equal(registered.Version, b.Model.Registry.Get("elsewhere").ContentHash);
            using var unknown = await http.PostAsJsonAsync("/v1/completions", new { model = "nowhere", prompt = "x", max_tokens = 1 });
            Assert.Equal(404, (int)unknown.StatusCode);
        }
        finally
        {
            Fixtures.TryDelete(store);
            Fixtures.TryDelete(store + "-jobs");
            Fixtures.TryDelete(store + "-jobs-b");
        }
    }

    [Fact]
    public async Task A_change_while_another_replica_holds_the_store_lock_is_unavailable_with_retry_advice_and_changes_nothing()
    {
        string store = Fixtures.TempDirectory("peft-shared-store");
        try
        {
            await using var server = await LoopbackServer.StartAsync(null, ["--Adapters:StoreLockTimeout=00:00:00"], null, store);
            using var client = server.CreateClient();
            await client.LoadAdapterAsync("kept", "llama/adapters/lora_qv");
            // Another replica's store on the same directory, held inside a change of its own.
            using var other = new AdapterStore(new AdapterStoreOptions([], store));
            var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var holder = Task.Run(() => other.ChangeManifest(_ =>
            {
                holding.SetResult();
                release.Task.Wait(Cap);
                return null;
            }));
            await holding.Task.WaitAsync(Cap);
            string manifest = System.IO.File.ReadAllText(other.ManifestPath);
            try
            {
                string load = await Requests.Fails(StatusCode.Unavailable, () => client.LoadAdapterAsync("new", "llama/adapters/prefix"));
                Assert.Contains("is locked by another server sharing it", load);
                Assert.Contains("nothing changed, retry", load);
                await Requests.Fails(StatusCode.Unavailable, () => client.UnloadAdapterAsync("kept"));
            }
            finally
            {
                release.TrySetResult();
                await holder.WaitAsync(Cap);
            }

            Assert.Equal(manifest, System.IO.File.ReadAllText(other.ManifestPath));
            Assert.Equal(["kept"], (await client.ListAdaptersAsync()).Select(a => a.AdapterId));
            Assert.Equal("new", (await client.LoadAdapterAsync("new", "llama/adapters/prefix")).AdapterId);
        }
        finally
        {
            Fixtures.TryDelete(store);
            Fixtures.TryDelete(store + "-jobs");
        }
    }

    private static void WithoutStoreFollower(IServiceCollection services)
    {
        var follower = services.Single(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Name == "StoreFollower");
        services.Remove(follower);
    }

    private static UploadAdapterChunk File(string name, string directory) => new()
    {
        File = new FileChunk { FileName = name, Data = ByteString.CopyFrom(System.IO.File.ReadAllBytes(Path.Combine(directory, name))) },
    };

    private static async Task WaitFor(Func<Task<bool>> condition)
    {
        var until = DateTime.UtcNow + Cap;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, $"the state was not reached within {Cap.TotalSeconds} s");
            await Task.Delay(20);
        }
    }

    /// <summary>Two server processes on one fresh store, each with its own jobs directory.</summary>
    private sealed class Replicas : IAsyncDisposable
    {
        private Replicas(string store, ServerProcess a, ServerProcess b)
        {
            Store = store;
            A = a;
            B = b;
            OnA = a.CreateClient();
            OnB = b.CreateClient();
        }

        public string Store { get; }
        public ServerProcess A { get; }
        public ServerProcess B { get; }
        public PeftClient OnA { get; }
        public PeftClient OnB { get; }

        public static async Task<Replicas> StartAsync()
        {
            string store = Fixtures.TempDirectory("peft-shared-store");
            var a = ServerProcess.StartAsync(store, store + "-jobs-a");
            var b = ServerProcess.StartAsync(store, store + "-jobs-b", "--Adapters:StoreSyncInterval=00:00:00.200");
            try
            {
                await Task.WhenAll(a, b);
            }
            catch
            {
                foreach (var started in new[] { a, b }.Where(t => t.IsCompletedSuccessfully)) await started.Result.DisposeAsync();
                Delete(store);
                throw;
            }
            return new Replicas(store, a.Result, b.Result);
        }

        public async ValueTask DisposeAsync()
        {
            OnA.Dispose();
            OnB.Dispose();
            await A.DisposeAsync();
            await B.DisposeAsync();
            Delete(Store);
        }

        private static void Delete(string store)
        {
            foreach (string path in (string[])[store, store + "-jobs-a", store + "-jobs-b"]) Fixtures.TryDelete(path);
        }
    }
}
