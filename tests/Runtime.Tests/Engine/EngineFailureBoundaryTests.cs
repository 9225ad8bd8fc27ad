using Peft.Runtime.Engine;
using Peft.Runtime.Engine.Sampling;
using Peft.Runtime.Tests.Models;
using Peft.Testing;

namespace Peft.Runtime.Tests.Engine;

/// <summary>
/// The engine thread's failure boundaries (InferenceEngine.Loop): a fault in background work stops that work only; a
/// fault in the engine's own bookkeeping fails the requests it holds with UNAVAILABLE and says why, and never
/// escapes the thread (an unhandled exception there would end the test process, as it ended the server).
/// </summary>
public sealed class EngineFailureBoundaryTests
{
    private static readonly int[] Prompt = [1, 272, 109, 383, 218];
    private static EngineOptions Small => new() { KvCacheBytes = 4 << 20, KvBlockSize = 4, LoraSlots = 4, MaxLoraRank = 8 };

    [Fact]
    public async Task Background_work_that_throws_is_stopped_and_told_and_requests_are_still_served()
    {
        await using var h = new EngineHarness("llama", Small);
        var expected = await EngineHarness.CollectAsync(h.Submit(Prompt, sampling: new SamplingParams { MaxNewTokens = 6 }));
        var reported = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Engine.BackgroundFaulted += e => reported.TrySetResult(e);
        var work = new ThrowingWork();

        h.Engine.AttachBackgroundWork(work);
        var error = await reported.Task.WaitAsync(Waits.Cap);

        Assert.Same(work.Thrown, error);
        Assert.Same(work.Thrown, work.FaultedWith);
        var after = await EngineHarness.CollectAsync(h.Submit(Prompt, sampling: new SamplingParams { MaxNewTokens = 6 }));
        Assert.Equal(expected.Tokens, after.Tokens);
        Assert.Equal(1, work.Runs);   // detached: never run again
        Assert.Null(h.Engine.Fault);
    }

    [Fact]
    public async Task A_fault_in_the_engines_own_code_fails_held_requests_with_unavailable_and_refuses_new_ones()
    {
        var clock = new EngineThreadFault();
        await using var h = new EngineHarness("llama", Small, time: clock);
        var before = await EngineHarness.CollectAsync(h.Submit(Prompt, sampling: new SamplingParams { MaxNewTokens = 4 }));
        var reported = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Engine.Faulted += e => reported.TrySetResult(e);

        clock.Arm();
        var held = h.Submit(Prompt, sampling: new SamplingParams { MaxNewTokens = 4 });
        var fault = await reported.Task.WaitAsync(Waits.Cap);

        Assert.Equal(EngineThreadFault.Message, fault.Message);
        var failed = await Assert.ThrowsAsync<RequestRejectedException>(() => EngineHarness.CollectAsync(held));
        Assert.Equal(RejectReason.Unavailable, failed.Reason);
        Assert.Contains(EngineThreadFault.Message, failed.Message);
        Assert.Contains(EngineThreadFault.Message, h.Engine.Fault);
        var refused = Assert.Throws<RequestRejectedException>(() => h.Submit(Prompt));
        Assert.Equal(RejectReason.Unavailable, refused.Reason);
        Assert.Equal(4, before.Tokens.Count);
    }

    [Fact]
    public async Task Concurrent_submissions_never_exceed_max_waiting_requests()
    {
        const int Max = 8, Threads = 16;
        var model = ModelCache.Family("llama");
        for (int round = 0; round < 40; round++)
        {
            // Not started: nothing leaves the queue, so exactly Max submissions may be accepted, whatever the interleaving.
            await using var engine = new InferenceEngine(model, Small with { MaxWaitingRequests = Max });
            using var start = new Barrier(Threads);
            int accepted = 0, refused = 0;
            var threads = Enumerable.Range(0, Threads).Select(_ => new Thread(() =>
            {
                start.SignalAndWait();
                try
                {
                    engine.Submit(new GenerationRequest { PromptTokens = Prompt });
                    Interlocked.Increment(ref accepted);
                }
                catch (RequestRejectedException e) when (e.Reason == RejectReason.ResourceExhausted)
                {
                    Interlocked.Increment(ref refused);
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());

            Assert.Equal(Max, accepted);
            Assert.Equal(Threads - Max, refused);
        }
    }

    private sealed class ThrowingWork : IEngineBackgroundWork
    {
        public InvalidOperationException Thrown { get; } = new("simulated bug in background work");
        public Exception? FaultedWith { get; private set; }
        public int Runs { get; private set; }
        public bool HasWork => FaultedWith is null;

        public void RunUnit()
        {
            Runs++;
            throw Thrown;
        }

        public void Fault(Exception error) => FaultedWith = error;
    }
}
