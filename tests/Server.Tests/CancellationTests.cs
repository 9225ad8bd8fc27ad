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
        // The fixture model generates 240 tokens in well under a second, so a busy client can read its first chunk
        // after the server has already finished: then there is nothing left to cancel. Such an attempt must have
        // completed in full; the test needs one attempt that really was cancelled mid-stream.
        for (int attempt = 0; attempt < 5; attempt++)
        {
            using var cancel = new CancellationTokenSource();
            int tokens = 0;
            try
            {
                await foreach (var chunk in fixture.Client.GenerateStreamAsync(Requests.Ids(maxNewTokens: 240, adapter: adapter), cancellationToken: cancel.Token))
                {
                    tokens += chunk.TokenIds.Count;
                    if (!cancel.IsCancellationRequested) await cancel.CancelAsync();
                }
            }
            catch (RpcException e)
            {
                Assert.Equal(StatusCode.Cancelled, e.StatusCode);
                Assert.InRange(tokens, 1, 239);
                await AssertFreed(adapter);
                return;
            }
            Assert.Equal(240, tokens);
            await AssertFreed(adapter);
        }
        Assert.Fail("in 5 attempts the server always finished before the client's cancellation arrived");
    }

    // The fixture model can finish 240 tokens before a generous deadline, so each deadline test shortens the deadline
    // until one passes mid-generation; an attempt that beat its deadline must have completed in full.
    private static readonly TimeSpan[] Deadlines = [.. new[] { 150, 50, 20, 5, 1 }.Select(ms => TimeSpan.FromMilliseconds(ms))];

    [Fact]
    public async Task A_stream_past_its_deadline_is_deadline_exceeded_and_frees_its_resources()
    {
        var generation = new Generation.GenerationClient(fixture.Server.Channel);
        foreach (var deadline in Deadlines)
        {
            using var call = generation.GenerateStream(Requests.Ids(maxNewTokens: 240, adapter: "lora"), deadline: DateTime.UtcNow + deadline);
            int tokens = 0;
            try
            {
                await foreach (var chunk in call.ResponseStream.ReadAllAsync())
                {
                    tokens += chunk.TokenIds.Count;
                    await Task.Delay(5);
                }
            }
            catch (RpcException e)
            {
                Assert.Equal(StatusCode.DeadlineExceeded, e.StatusCode);
                await AssertFreed("lora");
                return;
            }
            Assert.Equal(240, tokens);
        }
        Assert.Fail("no deadline passed before the stream ended");
    }

    [Fact]
    public async Task A_unary_call_past_its_deadline_is_deadline_exceeded_and_frees_its_resources()
    {
        foreach (var deadline in Deadlines)
        {
            try
            {
                var response = await fixture.Client.GenerateAsync(Requests.Ids(maxNewTokens: 240, adapter: "prefix"), deadline);
                Assert.Equal(240, response.TokenIds.Count);
            }
            catch (RpcException e)
            {
                Assert.Equal(StatusCode.DeadlineExceeded, e.StatusCode);
                await AssertFreed("prefix");
                return;
            }
        }
        Assert.Fail("no deadline passed before the response came");
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
