using Grpc.Core;
using Peft.Protos.V1;
using Peft.Runtime.Engine.Testing;
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
        Assert.DoesNotContain(Fixtures.LlamaBase, detail);   // the serving API never shows where the model lives

        var withStop = Requests.Ids();
        withStop.Sampling.Stop.Add("x");
        Assert.Contains("stop strings", await Requests.Fails(StatusCode.FailedPrecondition, () => fixture.Client.GenerateAsync(withStop)));
    }

    [Fact]
    public async Task A_full_queue_is_resource_exhausted_and_the_admitted_request_finishes()
    {
        // Held with the first request taken in and not yet scheduled: it fills the queue of one.
        using var hold = fixture.Server.EngineHooks.HoldAt(EnginePoint.BeforeSchedule, v => v.Sequences.Count == 1);
        var admitted = fixture.Client.GenerateAsync(Requests.Ids(maxNewTokens: 100));
        await hold.Reached;
        string refusal = await Requests.Fails(StatusCode.ResourceExhausted, () => fixture.Client.GenerateAsync(Requests.Ids(maxNewTokens: 100)));
        hold.Release();

        Assert.Contains("1 requests are already waiting", refusal);
        Assert.Equal(100, (await admitted).TokenIds.Count);
        Requests.AssertFreed(fixture.Server, "the response");
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
}
