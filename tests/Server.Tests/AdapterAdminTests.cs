using Grpc.Core;
using Peft.Protos.V1;
using Peft.Runtime.Engine.Testing;
using Peft.Server.Tests.Support;
using Peft.Testing;

namespace Peft.Server.Tests;

public sealed class AdminServer : SharedServer;

/// <summary>Load, upload, replace, unload, list and get over the admin endpoint, also while streams run.</summary>
public sealed class AdapterAdminTests(AdminServer fixture) : IClassFixture<AdminServer>
{
    private LoopbackServer Server => fixture.Server;

    [Theory]
    [InlineData("lora_qv", "LORA", 8, 0)]
    [InlineData("prefix", "PREFIX_TUNING", 0, 4)]
    [InlineData("prompt", "PROMPT_TUNING", 0, 4)]
    [InlineData("ptuning", "P_TUNING", 0, 4)]
    public async Task Load_registers_each_adapter_type_and_get_and_list_describe_it(string name, string type, uint rank, uint virtualTokens)
    {
        string id = $"load-{name}";
        var loaded = await fixture.Client.LoadAdapterAsync(id, $"llama/adapters/{name}");
        try
        {
            var got = await fixture.Client.GetAdapterAsync(id);
            var listed = (await fixture.Client.ListAdaptersAsync()).Single(a => a.AdapterId == id);

            Assert.Equal(type, loaded.PeftType);
            Assert.Equal(rank, loaded.Rank);
            if (virtualTokens > 0) Assert.True(loaded.NumVirtualTokens > 0);
            else Assert.Equal(0u, loaded.NumVirtualTokens);
            Assert.Equal(64, loaded.Version.Length);
            Assert.True(loaded.SizeBytes > 0);
            Assert.NotEqual(AdapterTier.Unspecified, loaded.Tier);
            Assert.Equal(Path.GetFullPath(Fixtures.LlamaAdapter(name)), loaded.Path);
            Assert.Equal(loaded.Version, got.Version);
            Assert.Equal(loaded.Version, listed.Version);
            Assert.Equal(0u, got.RequestsInFlight);
            if (type == "LORA") Assert.Contains("q_proj", got.TargetModules);

            var generated = await fixture.Client.GenerateAsync(Requests.Ids(maxNewTokens: 4, adapter: id));
            Assert.Equal(loaded.Version, generated.AdapterVersion);
            Assert.True((await fixture.Client.GetAdapterAsync(id)).LastUsed.ToDateTimeOffset() >= loaded.RegisteredAt.ToDateTimeOffset());
        }
        finally
        {
            await fixture.Client.UnloadAdapterAsync(id);
        }
    }

    [Fact]
    public async Task Upload_streams_the_files_stores_them_and_serves_the_same_version_as_a_load()
    {
        var loaded = await fixture.Client.LoadAdapterAsync("by-path", "llama/adapters/lora_all");
        var uploaded = await fixture.Client.UploadAdapterAsync("by-upload", Fixtures.LlamaAdapter("lora_all"));

        Assert.Equal(loaded.Version, uploaded.Version);
        Assert.StartsWith(Path.GetFullPath(Server.StoreDirectory), uploaded.Path);
        var viaPath = await fixture.Client.GenerateAsync(Requests.Ids(maxNewTokens: 8, adapter: "by-path"));
        var viaUpload = await fixture.Client.GenerateAsync(Requests.Ids(maxNewTokens: 8, adapter: "by-upload"));
        Assert.Equal(viaPath.TokenIds, viaUpload.TokenIds);

        await fixture.Client.UnloadAdapterAsync("by-path");
        await fixture.Client.UnloadAdapterAsync("by-upload");
        Assert.False(Directory.Exists(uploaded.Path), "an unloaded upload nobody uses is deleted from the store");
    }

    [Fact]
    public async Task Replace_while_streams_run_lets_them_finish_on_their_version_and_serves_new_requests_on_the_new_one()
    {
        await fixture.Client.LoadAdapterAsync("swap", "llama/adapters/lora_qv");
        var oldVersion = Server.Model.Registry.Get("swap");
        var expectedOld = (await fixture.Client.GenerateAsync(Requests.Ids(maxNewTokens: 200, adapter: "swap"))).TokenIds;

        // The engine is held once all three streams are mid-generation, so they are still running when the id moves.
        using var hold = Server.EngineHooks.HoldAt(EnginePoint.AfterStep, v => v.Of("swap").Count(s => s.Generated >= 1) == 3);
        var streams = Enumerable.Range(0, 3).Select(_ => StartStream("swap", 200)).ToArray();
        Assert.All((await hold.Reached).Of("swap"), s => Assert.InRange(s.Generated, 1, 199));
        var replaced = await fixture.Client.UploadAdapterAsync("swap", Fixtures.LlamaAdapter("lora_all"), replace: true);
        Assert.Equal(3, oldVersion.RequestsInFlight);
        hold.Release();
        var newResponse = await fixture.Client.GenerateAsync(Requests.Ids(maxNewTokens: 8, adapter: "swap"));
        var results = await Task.WhenAll(streams);

        Assert.NotEqual(oldVersion.ContentHash, replaced.Version);
        Assert.Equal(replaced.Version, newResponse.AdapterVersion);
        foreach (var (chunks, whole) in results)
        {
            Assert.Equal(oldVersion.ContentHash, chunks[0].AdapterVersion);
            Assert.Equal(FinishReason.Length, whole.FinishReason);
            Assert.Equal(expectedOld, whole.TokenIds);
        }
        Assert.Equal(0, oldVersion.RequestsInFlight);
        await fixture.Client.UnloadAdapterAsync("swap");
    }

    [Fact]
    public async Task Unload_while_streams_run_lets_them_finish_and_refuses_new_requests()
    {
        await fixture.Client.LoadAdapterAsync("going", "llama/adapters/prefix");
        var version = Server.Model.Registry.Get("going");
        var expected = (await fixture.Client.GenerateAsync(Requests.Ids(maxNewTokens: 200, adapter: "going"))).TokenIds;

        using var hold = Server.EngineHooks.HoldAt(EnginePoint.AfterStep, v => v.Of("going").Count(s => s.Generated >= 1) == 2);
        var streams = Enumerable.Range(0, 2).Select(_ => StartStream("going", 200)).ToArray();
        Assert.All((await hold.Reached).Of("going"), s => Assert.InRange(s.Generated, 1, 199));
        var unloaded = await fixture.Client.UnloadAdapterAsync("going");
        string detail = await Requests.Fails(StatusCode.NotFound, () => fixture.Client.GenerateAsync(Requests.Ids(adapter: "going")));
        hold.Release();
        var results = await Task.WhenAll(streams);

        Assert.Equal(2u, unloaded.RequestsInFlight);
        Assert.Contains("'going'", detail);
        Assert.All(results, r => Assert.Equal(expected, r.Whole.TokenIds));
        Assert.All(results, r => Assert.Equal(version.ContentHash, r.Chunks[0].AdapterVersion));
        Assert.Equal(0, version.RequestsInFlight);
        Assert.DoesNotContain(await fixture.Client.ListAdaptersAsync(), a => a.AdapterId == "going");
    }

    [Fact]
    public async Task Loading_an_id_twice_without_replace_is_already_exists()
    {
        await fixture.Client.LoadAdapterAsync("twice", "llama/adapters/prompt");
        try
        {
            string detail = await Requests.Fails(StatusCode.AlreadyExists, () => fixture.Client.LoadAdapterAsync("twice", "llama/adapters/ptuning"));
            Assert.Contains("'twice'", detail);
            await Requests.Fails(StatusCode.AlreadyExists, () => fixture.Client.UploadAdapterAsync("twice", Fixtures.LlamaAdapter("ptuning")));
        }
        finally
        {
            await fixture.Client.UnloadAdapterAsync("twice");
        }
    }

    [Fact]
    public async Task Unknown_ids_are_not_found()
    {
        Assert.Contains("'nobody'", await Requests.Fails(StatusCode.NotFound, () => fixture.Client.GetAdapterAsync("nobody")));
        Assert.Contains("'nobody'", await Requests.Fails(StatusCode.NotFound, () => fixture.Client.UnloadAdapterAsync("nobody")));
        Assert.Contains("'nobody'", await Requests.Fails(StatusCode.NotFound, () => fixture.Client.GenerateAsync(Requests.Ids(adapter: "nobody"))));
    }

    [Fact]
    public async Task Paths_are_checked_against_the_roots()
    {
        Assert.Contains("llama/adapters/missing", await Requests.Fails(StatusCode.NotFound, () => fixture.Client.LoadAdapterAsync("p1", "llama/adapters/missing")));
        Assert.Contains("..", await Requests.Fails(StatusCode.InvalidArgument, () => fixture.Client.LoadAdapterAsync("p2", "llama/../../../etc")));
        await Requests.Fails(StatusCode.PermissionDenied, () => fixture.Client.LoadAdapterAsync("p3", "/etc"));
        await Requests.Fails(StatusCode.InvalidArgument, () => fixture.Client.LoadAdapterAsync("p4", ""));
    }

    [Fact]
    public async Task A_symbolic_link_out_of_the_roots_is_permission_denied()
    {
        string link = Path.Combine(Fixtures.HfRoot, $"escape-{Guid.NewGuid():N}");
        string outside = Fixtures.TempDirectory("peft-outside");
        foreach (string file in Directory.GetFiles(Fixtures.LlamaAdapter("lora_qv"))) File.Copy(file, Path.Combine(outside, Path.GetFileName(file)));
        Directory.CreateSymbolicLink(link, outside);
        try
        {
            string detail = await Requests.Fails(StatusCode.PermissionDenied, () => fixture.Client.LoadAdapterAsync("escape", Path.GetFileName(link)));
            Assert.Contains(Path.GetFileName(link), detail);
        }
        finally
        {
            Directory.Delete(link);
            Fixtures.TryDelete(outside);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData(".hidden")]
    [InlineData("has space")]
    [InlineData("slash/id")]
    public async Task Malformed_adapter_ids_are_invalid_argument(string id)
    {
        await Requests.Fails(StatusCode.InvalidArgument, () => fixture.Client.LoadAdapterAsync(id, "llama/adapters/lora_qv"));
        await Requests.Fails(StatusCode.InvalidArgument, () => fixture.Client.GetAdapterAsync(id));
        if (id.Length > 0) await Requests.Fails(StatusCode.InvalidArgument, () => fixture.Client.GenerateAsync(Requests.Ids(adapter: id)));
    }

    [Fact]
    public async Task An_adapter_for_another_model_is_invalid_argument_naming_the_problem()
    {
        string detail = await Requests.Fails(StatusCode.InvalidArgument, () => fixture.Client.LoadAdapterAsync("wrong-base", "gpt2/adapters/lora_c_attn"));
        Assert.Contains("wrong-base", detail);
        Assert.DoesNotContain(await fixture.Client.ListAdaptersAsync(), a => a.AdapterId == "wrong-base");
    }

    [Fact]
    public async Task Uploads_with_bad_streams_or_files_are_invalid_argument_and_leave_nothing_behind()
    {
        var client = new Adapters.AdaptersClient(Server.AdminChannel);
        var key = new Metadata { { "x-api-key", LoopbackServer.AdminKey } };

        Assert.Contains("empty", await Upload([]));
        Assert.Contains("header", await Upload([File("adapter_config.json", "{}")]));
        Assert.Contains("header", await Upload([Header("dup"), Header("dup")]));
        Assert.Contains("not an adapter file", await Upload([Header("badname"), File("weights.bin", "x")]));
        Assert.Contains("adapter_model.safetensors", await Upload([Header("half"), File("adapter_config.json", "{}")]));
        Assert.Contains("badjson", await Upload([Header("badjson"), File("adapter_config.json", "{not json"), File("adapter_model.safetensors", "x")]));

        Assert.Empty(Directory.EnumerateFiles(Path.Combine(Server.StoreDirectory, "adapters"), "*", SearchOption.AllDirectories));
        // Only this server's staging slot, empty, and the lock it holds on it stay.
        string staging = Server.Model.Store.StagingDirectory;
        Assert.Empty(Directory.EnumerateFileSystemEntries(staging));
        Assert.Equal([staging, staging + ".lock"],
            Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(staging)!).Order(StringComparer.Ordinal));

        async Task<string> Upload(UploadAdapterChunk[] messages) => await Requests.Fails(StatusCode.InvalidArgument, async () =>
        {
            using var call = client.UploadAdapter(key, DateTime.UtcNow.AddSeconds(30));
            try
            {
                foreach (var message in messages) await call.RequestStream.WriteAsync(message);
                await call.RequestStream.CompleteAsync();
            }
            catch (RpcException)
            {
            }
            catch (InvalidOperationException)
            {
            }
            await call.ResponseAsync;
        });

        static UploadAdapterChunk Header(string id) => new() { Header = new UploadHeader { AdapterId = id } };

        static UploadAdapterChunk File(string name, string text) =>
            new() { File = new FileChunk { FileName = name, Data = Google.Protobuf.ByteString.CopyFromUtf8(text) } };
    }

    /// <summary>A stream read to its end in the background.</summary>
    private Task<(List<GenerateChunk> Chunks, GenerateResponse Whole)> StartStream(string adapter, uint tokens) =>
        Requests.CollectAsync(fixture.Client.GenerateStreamAsync(Requests.Ids(maxNewTokens: tokens, adapter: adapter)));
}
