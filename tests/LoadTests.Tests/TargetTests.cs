using Peft.LoadTests.Targets;
using Peft.LoadTests.Workload;

namespace Peft.LoadTests.Tests;

public sealed class TargetTests
{
    private static TargetRequest Request(string? adapter) => new(adapter, [5, 6], 2);

    [Fact]
    public async Task One_adapter_at_a_time_serves_adapters_in_order_of_their_oldest_request()
    {
        var inner = new ManualTarget();
        await using var serial = new OneAdapterAtATimeTarget(inner);
        var a1 = serial.SendAsync(Request("a"), _ => { }, default);
        var b1 = serial.SendAsync(Request("b"), _ => { }, default);
        var a2 = serial.SendAsync(Request("a"), _ => { }, default);   // someone waits: a2 queues behind b
        var c1 = serial.SendAsync(Request(null), _ => { }, default);
        var b2 = serial.SendAsync(Request("b"), _ => { }, default);

        await inner.WaitForRunningAsync(1);
        Assert.Equal("a", serial.Active);
        inner.Finish("a");
        await a1;
        await inner.WaitForRunningAsync(2);   // both b requests go together
        Assert.Equal("b", serial.Active);
        inner.Finish("b");
        await Task.WhenAll(b1, b2);
        await inner.WaitForRunningAsync(1);
        Assert.Equal("a", serial.Active);
        inner.Finish("a");
        await inner.WaitForRunningAsync(1);
        Assert.Equal("", serial.Active);     // the base model is an adapter like any other here
        inner.Finish(null);
        await Task.WhenAll(a2, c1);

        Assert.Equal(["a", "b", "b", "a", null], inner.Started);
        Assert.Equal(1, inner.MaxDistinctAdapters);
        Assert.Null(serial.Active);
    }

    [Fact]
    public async Task Requests_of_the_active_adapter_join_while_nobody_waits()
    {
        var inner = new ManualTarget();
        await using var serial = new OneAdapterAtATimeTarget(inner);
        var first = serial.SendAsync(Request("a"), _ => { }, default);
        var second = serial.SendAsync(Request("a"), _ => { }, default);
        await inner.WaitForRunningAsync(2);
        inner.Finish("a");
        Assert.All(await Task.WhenAll(first, second), o => Assert.True(o.IsOk));
    }

    [Fact]
    public async Task A_request_cancelled_while_waiting_leaves_the_queue()
    {
        var inner = new ManualTarget();
        await using var serial = new OneAdapterAtATimeTarget(inner);
        using var cancel = new CancellationTokenSource();
        var a = serial.SendAsync(Request("a"), _ => { }, default);
        var b = serial.SendAsync(Request("b"), _ => { }, cancel.Token);
        var c = serial.SendAsync(Request("c"), _ => { }, default);
        await cancel.CancelAsync();
        Assert.Equal("Cancelled", (await b).Status);
        inner.Finish("a");
        await a;
        await inner.WaitForRunningAsync(1);
        Assert.Equal("c", serial.Active);
        inner.Finish("c");
        await c;
        Assert.Equal(["a", "c"], inner.Started);
    }

    [Fact]
    public async Task The_closed_loop_keeps_at_most_its_concurrency_in_flight_and_records_every_request()
    {
        var target = new InstantTarget();
        var requests = Enumerable.Range(0, 20).Select(i => new RequestSpec(i, TimeSpan.Zero, i % 3, [1, 2, 3], 4)).ToArray();
        var records = await ClosedLoopRunner.RunAsync(target, requests, r => $"x{r.AdapterRank}", concurrency: 3);
        Assert.Equal(20, records.Count);
        Assert.InRange(target.MaxConcurrent, 1, 3);
        Assert.All(records, r => Assert.True(r.IsOk));
        Assert.Equal(Enumerable.Range(0, 20), records.Select(r => r.Index));
        Assert.Equal(requests.Select(r => $"x{r.AdapterRank}"), records.Select(r => r.AdapterId));
        Assert.All(records, r =>
        {
            Assert.Equal(4, r.OutputTokens);
            Assert.NotNull(r.FirstToken);
            Assert.True(r.Sent <= r.FirstToken && r.FirstToken <= r.LastToken && r.LastToken <= r.Done);
        });
    }

    [Fact]
    public async Task The_open_loop_sends_every_request_and_keeps_the_targets_status()
    {
        var target = new InstantTarget { Status = "ResourceExhausted" };
        var requests = Enumerable.Range(0, 5).Select(i => new RequestSpec(i, TimeSpan.Zero, 0, [1], 2)).ToArray();
        var records = await OpenLoopRunner.RunAsync(target, requests, _ => null, TimeSpan.FromSeconds(30));
        Assert.Equal(5, records.Count);
        Assert.All(records, r => Assert.Equal("ResourceExhausted", r.Status));
        Assert.All(records, r => Assert.Null(r.AdapterId));
    }

    /// <summary>Streams all tokens at once and finishes on a pool thread.</summary>
    private sealed class InstantTarget : ITarget
    {
        private int _inFlight;

        public string Name => "instant";
        public string Status { get; init; } = TargetOutcome.Ok;
        public int MaxConcurrent { get; private set; }

        public async Task<TargetOutcome> SendAsync(TargetRequest request, Action<int> onTokens, CancellationToken cancellationToken)
        {
            int now = Interlocked.Increment(ref _inFlight);
            lock (this) MaxConcurrent = Math.Max(MaxConcurrent, now);
            await Task.Yield();
            if (Status == TargetOutcome.Ok)
                for (int i = 0; i < request.MaxNewTokens; i++) onTokens(1);
            Interlocked.Decrement(ref _inFlight);
            return new TargetOutcome(Status, Status == TargetOutcome.Ok ? request.MaxNewTokens : 0);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
