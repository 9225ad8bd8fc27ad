using Grpc.Core;
using Peft.Protos.V1;
using Peft.Server.Tests.Support;
using Peft.Testing;

namespace Peft.Server.Tests;

/// <summary>A model without a tokenizer, one running sequence, a queue of one and a 30 kB upload cap.</summary>
public sealed class ConstrainedServer : SharedServer
{
    protected override string? ModelDirectory => Fixtures.LlamaBase;

    protected override string[] Arguments =>
        ["--Engine:MaxRunningSequences=1", "--Engine:MaxWaitingRequests=1", "--Adapters:MaxUploadBytes=30000", "--Adapters:MaxConfigBytes=800"];
}

public sealed class ConstrainedServerTests(ConstrainedServer fixture) : IClassFixture<ConstrainedServer>
{
    [Fact]
    public async Task Without_a_tokenizer_token_ids_work_and_text_prompts_are_failed_precondition()
    {
        var response = await fixture.Client.GenerateAsync(Requests.Ids(maxNewTokens: 5));
        Assert.Equal(5, response.TokenIds.Count);
        Assert.Equal("", response.Text);

        string detail = await Requests.Fails(StatusCode.FailedPrecondition, () => fixture.Client.GenerateAsync(Requests.Text("hello")));
        Assert.Contains("no tokenizer", detail);
        Assert.Contains(Fixtures.LlamaBase, detail);

        var withStop = Requests.Ids();
        withStop.Sampling.Stop.Add("x");
        Assert.Contains("stop strings", await Requests.Fails(StatusCode.FailedPrecondition, () => fixture.Client.GenerateAsync(withStop)));
    }

    [Fact]
    public async Task A_full_queue_is_resource_exhausted_and_the_running_requests_finish()
    {
        // One sequence runs, one waits; the next finds the queue full.
        var running = fixture.Client.GenerateAsync(Requests.Ids(maxNewTokens: 240));
        await WaitUntil(() => fixture.Server.Model.Engine.Stats is { Running: 1 });
        var waiting = fixture.Client.GenerateAsync(Requests.Ids(maxNewTokens: 4));
        await WaitUntil(() => fixture.Server.Model.Engine.Stats is { Running: 1, Waiting: 1 });

        string detail = await Requests.Fails(StatusCode.ResourceExhausted, () => fixture.Client.GenerateAsync(Requests.Ids(maxNewTokens: 4)));

        Assert.Contains("waiting", detail);
        Assert.Equal(240, (await running).TokenIds.Count);
        Assert.Equal(4, (await waiting).TokenIds.Count);
    }

    [Fact]
    public async Task An_upload_over_the_cap_is_resource_exhausted_and_leaves_nothing()
    {
        string detail = await Requests.Fails(StatusCode.ResourceExhausted,
            () => fixture.Client.UploadAdapterAsync("too-big", Fixtures.LlamaAdapter("lora_all")));
        Assert.Contains("30000", detail);

        var config = await Requests.Fails(StatusCode.ResourceExhausted,
            () => fixture.Client.UploadAdapterAsync("big-config", Fixtures.LlamaAdapter("lora_pattern")));
        Assert.Contains("adapter_config.json", config);

        Assert.Empty(Directory.EnumerateFiles(fixture.Server.StoreDirectory, "*.safetensors", SearchOption.AllDirectories));
        var fits = await fixture.Client.UploadAdapterAsync("fits", Fixtures.LlamaAdapter("prompt"));
        Assert.Equal("PROMPT_TUNING", fits.PeftType);
        await fixture.Client.UnloadAdapterAsync("fits");
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "timed out waiting for the engine");
            await Task.Delay(2);
        }
    }
}
