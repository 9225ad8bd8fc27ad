using Grpc.Core;
using Grpc.Net.Client;
using Peft.Protos.V1;
using Peft.Runtime.Engine.Testing;
using Peft.Server.Tests.Support;

namespace Peft.Server.Tests;

public sealed class CancellationServer : SharedServer
{
    protected override (string Id, string Path)[] Adapters => [("lora", "llama/adapters/lora_qv"), ("prefix", "llama/adapters/prefix")];
}

/// <summary>
/// A stream whose client cancels, disconnects or runs out of time is cut off mid-generation and frees its KV blocks
/// and adapter lease. The engine is held with the request mid-stream while the client gives up, so the request
/// cannot have finished on its own: only the server acting on the cancellation can retire it early.
/// </summary>
public sealed class CancellationTests(CancellationServer fixture) : IClassFixture<CancellationServer>
{
    private const uint MaxTokens = 240;

    private EngineTestHooks Hooks => fixture.Server.EngineHooks;

    [Theory]
    [InlineData("")]
    [InlineData("lora")]
    [InlineData("prefix")]
    public async Task A_cancelled_stream_is_cancelled_mid_generation_and_frees_its_resources(string adapter)
    {
        using var events = Hooks.Record();
        using var hold = Hooks.HoldAfterTokens(3, Id(adapter));
        using var cancel = new CancellationTokenSource();
        var stream = fixture.Client.GenerateStreamAsync(Requests.Ids(maxNewTokens: MaxTokens, adapter: adapter), cancellationToken: cancel.Token).GetAsyncEnumerator();
        Assert.True(await stream.MoveNextAsync());
        var sequence = Assert.Single((await hold.Reached).Sequences);

        await cancel.CancelAsync();
        var e = await Assert.ThrowsAsync<RpcException>(async () => { while (await stream.MoveNextAsync()) { } });
        Assert.Equal(StatusCode.Cancelled, e.StatusCode);
        await AssertCutOffAndFreed(events, hold, sequence, adapter);
        await stream.DisposeAsync();
    }

    [Fact]
    public async Task A_stream_past_its_deadline_is_deadline_exceeded_mid_generation_and_frees_its_resources()
    {
        var generation = new Generation.GenerationClient(fixture.Server.Channel);
        await PastDeadline("lora", async deadline =>
        {
            using var call = generation.GenerateStream(Requests.Ids(maxNewTokens: MaxTokens, adapter: "lora"), deadline: deadline);
            await foreach (var _ in call.ResponseStream.ReadAllAsync()) { }
        });
    }

    [Fact]
    public async Task A_unary_call_past_its_deadline_is_deadline_exceeded_mid_generation_and_frees_its_resources()
    {
        await PastDeadline("prefix", deadline => fixture.Client.GenerateAsync(Requests.Ids(maxNewTokens: MaxTokens, adapter: "prefix"), deadline - DateTime.UtcNow));
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_stream_is_cut_off_and_frees_its_resources()
    {
        using var events = Hooks.Record();
        using var hold = Hooks.HoldAfterTokens(1, "lora");
        var channel = GrpcChannel.ForAddress(fixture.Server.Address);
        var call = new Generation.GenerationClient(channel).GenerateStream(Requests.Ids(maxNewTokens: MaxTokens, adapter: "lora"));
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var sequence = Assert.Single((await hold.Reached).Sequences);

        channel.Dispose();   // closes the HTTP/2 connection under the running call
        await AssertCutOffAndFreed(events, hold, sequence, "lora");
        call.Dispose();
    }

    /// <summary>
    /// Calls with a deadline until one reaches the engine and generates before its deadline passes (the first try
    /// does, unless the machine is very slow), holds the engine there until the deadline has cancelled the request,
    /// then checks the call failed with DEADLINE_EXCEEDED and the request was cut off and freed.
    /// </summary>
    private async Task PastDeadline(string adapter, Func<DateTime, Task> call)
    {
        foreach (var seconds in (int[])[2, 8, 30])
        {
            using var events = Hooks.Record();
            using var hold = Hooks.HoldAfterTokens(1, adapter);
            var running = call(DateTime.UtcNow.AddSeconds(seconds));
            if (await Task.WhenAny(hold.Reached, running) != hold.Reached)
            {
                await Requests.Fails(StatusCode.DeadlineExceeded, () => running);   // too slow to start: try a longer deadline
                continue;
            }
            var sequence = Assert.Single(hold.Reached.Result.Sequences);
            await Requests.Fails(StatusCode.DeadlineExceeded, () => running);
            await AssertCutOffAndFreed(events, hold, sequence, adapter);
            return;
        }
        Assert.Fail("no call generated a token within 2, 8 or 30 seconds of its start");
    }

    /// <summary>
    /// With the engine held and the client gone: the server passes the cancellation to the engine, which retires the
    /// request at its next step, with no more tokens than it had, and releases its KV blocks and adapter lease.
    /// </summary>
    private async Task AssertCutOffAndFreed(EngineRecording events, EngineHold hold, SequenceView sequence, string adapter)
    {
        await events.WaitFor<SequenceCancelRequested>(c => c.SequenceId == sequence.Id);
        hold.Release();
        var retired = await events.WaitFor<SequenceRetired>(r => r.SequenceId == sequence.Id);
        Assert.Equal(SequenceOutcome.Cancelled, retired.Outcome);
        Assert.Equal(sequence.Generated, retired.Generated);
        Assert.True(retired.Generated < MaxTokens);
        Requests.AssertFreed(fixture.Server, "the request retired");
        if (adapter.Length > 0) Assert.Equal(0, fixture.Server.Model.Registry.Get(adapter).RequestsInFlight);
    }

    private static string? Id(string adapter) => adapter.Length > 0 ? adapter : null;
}
