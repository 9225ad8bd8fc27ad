using Grpc.Core;
using Grpc.Net.Client;
using Peft.Protos.V1;
using Peft.Server.Tests.Support;

namespace Peft.Server.Tests;

public sealed class CancellationServer : SharedServer
{
    protected override (string Id, string Path)[] Adapters => [("lora", "llama/adapters/lora_qv"), ("prefix", "llama/adapters/prefix")];
}

/// <summary>A stream whose client cancels, disconnects or runs out of time frees its KV blocks and adapter lease.</summary>
public sealed class CancellationTests(CancellationServer fixture) : IClassFixture<CancellationServer>
{
    [Theory]
    [InlineData("")]
    [InlineData("lora")]
    [InlineData("prefix")]
    public async Task A_cancelled_stream_is_cancelled_and_frees_its_resources(string adapter)
    {
        using var cancel = new CancellationTokenSource();
        int received = 0;

        await Requests.Fails(StatusCode.Cancelled, async () =>
        {
            await foreach (var chunk in fixture.Client.GenerateStreamAsync(Requests.Ids(maxNewTokens: 240, adapter: adapter), cancellationToken: cancel.Token))
            {
                if (++received == 3) await cancel.CancelAsync();
            }
        });

        await AssertFreed(adapter);
    }

    [Fact]
    public async Task A_stream_past_its_deadline_is_deadline_exceeded_and_frees_its_resources()
    {
        var generation = new Generation.GenerationClient(fixture.Server.Channel);
        using var call = generation.GenerateStream(Requests.Ids(maxNewTokens: 240, adapter: "lora"), deadline: DateTime.UtcNow.AddMilliseconds(150));

        await Requests.Fails(StatusCode.DeadlineExceeded, async () =>
        {
            await foreach (var _ in call.ResponseStream.ReadAllAsync())
                await Task.Delay(5);
        });

        await AssertFreed("lora");
    }

    [Fact]
    public async Task A_unary_call_past_its_deadline_is_deadline_exceeded_and_frees_its_resources()
    {
        await Requests.Fails(StatusCode.DeadlineExceeded,
            () => fixture.Client.GenerateAsync(Requests.Ids(maxNewTokens: 240, adapter: "prefix"), TimeSpan.FromMilliseconds(100)));

        await AssertFreed("prefix");
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_stream_frees_its_resources()
    {
        var channel = GrpcChannel.ForAddress(fixture.Server.Address);
        var generation = new Generation.GenerationClient(channel);
        var call = generation.GenerateStream(Requests.Ids(maxNewTokens: 240, adapter: "lora"));
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));

        channel.Dispose();   // closes the HTTP/2 connection under the running call

        await AssertFreed("lora");
        call.Dispose();
    }

    private async Task AssertFreed(string adapter)
    {
        Assert.True(await fixture.Server.WaitForIdleAsync(), $"KV blocks still in use: {fixture.Server.Model.Engine.Stats}");
        Assert.Equal(0, fixture.Server.Model.Engine.Stats.KvBlocksUsed);
        if (adapter.Length > 0) Assert.Equal(0, fixture.Server.Model.Registry.Get(adapter).RequestsInFlight);
    }
}
