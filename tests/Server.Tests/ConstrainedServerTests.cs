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
        Assert.DoesNotContain(Fixtures.LlamaBase, detail);   // the serving API never shows where the model lives

        var withStop = Requests.Ids();
        withStop.Sampling.Stop.Add("x");
        Assert.Contains("stop strings", await Requests.Fails(StatusCode.FailedPrecondition, () => fixture.Client.GenerateAsync(withStop)));
    }

    [Fact]
    public async Task A_full_queue_is_resource_exhausted_and_the_admitted_requests_finish()
    {
        // One sequence runs and one may wait: of six sent at once, at least one finds the queue full.
        var calls = Enumerable.Range(0, 6).Select(async _ =>
        {
            try
            {
                return (Tokens: (await fixture.Client.GenerateAsync(Requests.Ids(maxNewTokens: 100))).TokenIds.Count, Refusal: (string?)null);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted)
            {
                return (Tokens: 0, Refusal: e.Status.Detail);
            }
        }).ToArray();
        var results = await Task.WhenAll(calls);

        Assert.Contains(results, r => r.Refusal is not null);
        Assert.Contains(results, r => r.Refusal is null);
        Assert.All(results.Where(r => r.Refusal is not null), r => Assert.Contains("waiting", r.Refusal));
        Assert.All(results.Where(r => r.Refusal is null), r => Assert.Equal(100, r.Tokens));
        Assert.True(await fixture.Server.WaitForIdleAsync());
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
