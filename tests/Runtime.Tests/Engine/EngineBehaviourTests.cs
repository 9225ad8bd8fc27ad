using Peft.Runtime.Engine;
using Peft.Runtime.Engine.Sampling;
using Peft.Runtime.Engine.Testing;
using Peft.Runtime.Tests.Models;

namespace Peft.Runtime.Tests.Engine;

/// <summary>The engine as callers see it: sampling, stop conditions, cancellation, admission control, versions.</summary>
public sealed class EngineBehaviourTests
{
    private static readonly int[] Prompt = [1, 272, 109, 383, 218];
    private static EngineOptions Small => new() { KvCacheBytes = 4 << 20, KvBlockSize = 4, LoraSlots = 4, MaxLoraRank = 8 };

    [Fact]
    public async Task A_seed_reproduces_a_sampled_output_alone_and_batched_and_another_seed_differs()
    {
        await using var h = new EngineHarness("llama", Small);
        var sampling = new SamplingParams { Temperature = 1.5f, TopK = 50, TopP = 0.95f, Seed = 42, MaxNewTokens = 24 };
        var alone = await EngineHarness.CollectAsync(h.Submit(Prompt, sampling: sampling));
        var batched = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => EngineHarness.CollectAsync(
            h.Submit(Prompt, sampling: i == 3 ? sampling : sampling with { Seed = (ulong)(100 + i) }))));
        Assert.Equal(alone.Tokens, batched[3].Tokens);
        Assert.Contains(batched, c => !c.Tokens.SequenceEqual(alone.Tokens));
    }

    [Fact]
    public async Task The_timeline_records_when_a_queued_request_was_first_scheduled()
    {
        await using var h = new EngineHarness("llama", Small with { MaxRunningSequences = 1 });
        var first = h.Submit(Prompt, sampling: new SamplingParams { MaxNewTokens = 12 });
        var second = h.Submit(Prompt, sampling: new SamplingParams { MaxNewTokens = 2 });
        await Task.WhenAll(EngineHarness.CollectAsync(first), EngineHarness.CollectAsync(second));

        Assert.NotNull(first.Timeline.Admitted);
        Assert.InRange(first.Timeline.Admitted!.Value, first.Timeline.Submitted, DateTimeOffset.MaxValue);
        // One sequence at a time: the second waits in the queue while the first runs its 12 steps.
        Assert.True(second.Timeline.Admitted > first.Timeline.Admitted, "the second request was admitted while the first still ran");
    }

    [Fact]
    public async Task Max_new_tokens_finishes_with_length_and_usage_counts_tokens()
    {
        await using var h = new EngineHarness("llama", Small);
        var c = await EngineHarness.CollectAsync(h.Submit(Prompt, sampling: new SamplingParams { MaxNewTokens = 7 }));
        Assert.Equal(7, c.Tokens.Count);
        Assert.Equal(new GenerationFinished(FinishReason.Length, Prompt.Length, 7), c.Finish);
    }

    [Fact]
    public async Task A_stop_token_ends_generation_at_that_token()
    {
        await using var h = new EngineHarness("llama", Small);
        var free = await EngineHarness.CollectAsync(h.Submit(Prompt, sampling: new SamplingParams { MaxNewTokens = 16 }));
        int stop = free.Tokens[5];
        int first = free.Tokens.ToList().IndexOf(stop);
        var stopped = await EngineHarness.CollectAsync(h.Submit(Prompt, sampling: new SamplingParams { MaxNewTokens = 16, StopTokenIds = [stop] }));
        Assert.Equal(free.Tokens.Take(first + 1), stopped.Tokens);
        Assert.Equal(FinishReason.StopToken, stopped.Finish.Reason);
    }

    [Fact]
    public async Task The_context_limit_ends_generation_with_length()
    {
        await using var h = new EngineHarness("llama", Small with { MaxContextTokens = 12 });
        var c = await EngineHarness.CollectAsync(h.Submit(Prompt, sampling: new SamplingParams { MaxNewTokens = 100 }));
        Assert.Equal(12 - Prompt.Length, c.Tokens.Count);
        Assert.Equal(FinishReason.Length, c.Finish.Reason);
    }

    [Fact]
    public async Task Logprobs_come_with_each_token_when_asked()
    {
        await using var h = new EngineHarness("llama", Small);
        var c = await EngineHarness.CollectAsync(h.Submit(Prompt, sampling: new SamplingParams { MaxNewTokens = 5, TopLogprobs = 2 }));
        Assert.Equal(5, c.Logprobs.Count);
        Assert.All(c.Logprobs.Zip(c.Tokens), p =>
        {
            Assert.Equal(p.Second, p.First.TokenId);
            Assert.Equal(2, p.First.Top!.Count);
            Assert.Equal(p.First.TokenId, p.First.Top[0].TokenId);   // greedy picks the most likely
            Assert.True(p.First.Logprob <= 0);
        });
    }

    [Fact]
    public async Task Cancelling_a_running_stream_frees_its_cache_and_adapter_within_a_step()
    {
        await using var h = new EngineHarness("llama", Small);
        await h.Registry.RegisterAsync("lora", "llama/adapters/lora_qv", replace: false);
        using var events = h.Engine.TestHooks.Record();
        using var hold = h.Engine.TestHooks.HoldAfterTokens(3, "lora");
        using var cancel = new CancellationTokenSource();
        var stream = h.Submit(Prompt, "lora", new SamplingParams { MaxNewTokens = 200 }, cancel.Token);

        // Held mid-stream: the sequence holds blocks and the lease, and cannot finish before the cancel.
        var held = await hold.Reached;
        Assert.Equal(3, Assert.Single(held.Sequences).Generated);
        Assert.True(h.Engine.Stats.KvBlocksUsed > 0);
        Assert.Equal(1, h.Registry.Get("lora").RequestsInFlight);

        cancel.Cancel();
        await events.WaitFor<SequenceCancelRequested>(c => c.SequenceId == stream.SequenceId);
        hold.Release();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => { await foreach (var _ in stream.Events.ReadAllAsync()) { } });
        // The engine releases before it completes the stream, so the end of the stream is proof enough.
        Assert.Equal(0, h.Engine.Stats.KvBlocksUsed);
        Assert.Equal(0, h.Registry.Get("lora").RequestsInFlight);
        var retired = await events.WaitFor<SequenceRetired>(r => r.SequenceId == stream.SequenceId);
        Assert.Equal(new SequenceRetired(stream.SequenceId, "lora", SequenceOutcome.Cancelled, 3), retired);   // within the next step
        stream.Dispose();
    }

    [Fact]
    public async Task Cancelling_a_waiting_request_removes_it_before_it_runs()
    {
        await using var h = new EngineHarness("llama", Small with { MaxRunningSequences = 1 });
        using var events = h.Engine.TestHooks.Record();
        using var hold = h.Engine.TestHooks.HoldAt(EnginePoint.BeforeSchedule, v => v.Sequences.Count == 2);
        var running = h.Submit(Prompt, sampling: new SamplingParams { MaxNewTokens = 60 });
        using var cancel = new CancellationTokenSource();
        var waiting = h.Submit(Prompt, sampling: new SamplingParams { MaxNewTokens = 60 }, cancellationToken: cancel.Token);

        var held = await hold.Reached;
        Assert.Equal(SequenceStatus.Waiting, held.Sequences.Single(s => s.Id == waiting.SequenceId).Status);
        cancel.Cancel();
        await events.WaitFor<SequenceCancelRequested>(c => c.SequenceId == waiting.SequenceId);
        hold.Release();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => { await foreach (var _ in waiting.Events.ReadAllAsync()) { } });
        Assert.Equal(new SequenceRetired(waiting.SequenceId, null, SequenceOutcome.Cancelled, 0), await events.WaitFor<SequenceRetired>(r => r.SequenceId == waiting.SequenceId));
        Assert.Equal(60, (await EngineHarness.CollectAsync(running)).Tokens.Count);
        Assert.Equal(0, h.Engine.Stats.KvBlocksUsed);
    }

    [Fact]
    public async Task A_full_queue_refuses_new_requests_with_resource_exhausted()
    {
        await using var h = new EngineHarness("llama", Small with { MaxRunningSequences = 1, MaxWaitingRequests = 2 });
        // Held with the first request taken in and not yet scheduled: it waits, one more may wait, the third is refused.
        using var hold = h.Engine.TestHooks.HoldAt(EnginePoint.BeforeSchedule, v => v.Sequences.Count == 1);
        var accepted = new List<GenerationStream> { h.Submit(Prompt, sampling: new SamplingParams { MaxNewTokens = 100 }) };
        Assert.Equal(SequenceStatus.Waiting, Assert.Single((await hold.Reached).Sequences).Status);
        accepted.Add(h.Submit(Prompt, sampling: new SamplingParams { MaxNewTokens = 100 }));
        var refused = Assert.Throws<RequestRejectedException>(() => h.Submit(Prompt, sampling: new SamplingParams { MaxNewTokens = 100 }));
        hold.Release();

        Assert.Equal(RejectReason.ResourceExhausted, refused.Reason);
        Assert.Contains("2 requests are already waiting", refused.Message);
        foreach (var s in accepted) Assert.Equal(100, (await EngineHarness.CollectAsync(s)).Tokens.Count);
    }

    [Fact]
    public async Task Requests_that_can_never_run_are_refused_with_the_reason_and_their_lease_released()
    {
        await using var h = new EngineHarness("llama", Small);
        await h.Registry.RegisterAsync("prompt", "llama/adapters/prompt", replace: false);
        var cases = new (int[] Prompt, string? Adapter, SamplingParams Sampling, string Message)[]
        {
            ([], null, SamplingParams.Greedy, "the prompt is empty"),
            ([1, 384], null, SamplingParams.Greedy, "prompt token id 384 is outside the vocabulary [0, 384)"),
            ([1, -5], null, SamplingParams.Greedy, "prompt token id -5"),
            (Prompt, null, new SamplingParams { TopP = 2f }, "top_p 2 must be in (0, 1]"),
            (Enumerable.Repeat(5, 250).ToArray(), "prompt", SamplingParams.Greedy, "the prompt takes 258 positions (8 virtual tokens of the adapter included)"),
        };
        foreach (var c in cases)
        {
            var e = Assert.Throws<RequestRejectedException>(() => h.Submit(c.Prompt, c.Adapter, c.Sampling));
            Assert.Equal(RejectReason.InvalidArgument, e.Reason);
            Assert.Contains(c.Message, e.Message);
        }
        Assert.Equal(0, h.Registry.Get("prompt").RequestsInFlight);
    }

    [Fact]
    public async Task Replacing_an_adapter_mid_stream_lets_the_stream_finish_on_its_version()
    {
        await using var h = new EngineHarness("llama", Small);
        var v1 = await h.Registry.RegisterAsync("a", "llama/adapters/lora_qv", replace: false);
        var solo = await EngineHarness.CollectAsync(h.Submit(Prompt, "a", new SamplingParams { MaxNewTokens = 30 }));

        using var hold = h.Engine.TestHooks.HoldAfterTokens(5, "a");
        var stream = h.Submit(Prompt, "a", new SamplingParams { MaxNewTokens = 30 });
        var held = await hold.Reached;
        Assert.Equal(5, Assert.Single(held.Sequences).Generated);   // replaced with 25 tokens still to come
        var v2 = await h.Registry.RegisterAsync("a", "llama/adapters/lora_all", replace: true);
        Assert.Equal(1, v1.RequestsInFlight);
        hold.Release();
        var onOld = await EngineHarness.CollectAsync(stream);
        var onNew = h.Submit(Prompt, "a", new SamplingParams { MaxNewTokens = 30 });

        Assert.Equal(v1.ContentHash, stream.AdapterVersion);
        Assert.Equal(solo.Tokens, onOld.Tokens);
        Assert.Equal(v2.ContentHash, onNew.AdapterVersion);
        Assert.NotEqual(solo.Tokens, (await EngineHarness.CollectAsync(onNew)).Tokens);
        Assert.Equal(0, v1.RequestsInFlight);
    }

    [Fact]
    public async Task Serving_round_after_round_leaves_no_tensor_behind_on_the_engine_thread()
    {
        await using var h = new EngineHarness("llama", Small);
        var adapters = await h.RegisterFamilyAdaptersAsync("llama");
        async Task Round() => await Task.WhenAll(Enumerable.Range(0, 16).Select(i => EngineHarness.CollectAsync(
            h.Submit([1, 5 + i, 9], adapters[i % adapters.Count], new SamplingParams { MaxNewTokens = 6, Temperature = i % 2, Seed = 1, TopLogprobs = i % 3 == 0 ? 2 : null }))));

        await Round();   // every adapter now resident: their device copies are the only long-lived tensors
        long afterFirst = h.Engine.Stats.LiveTensors;
        Assert.True(afterFirst > 0, "the prompt-learning adapters' device copies are counted");
        for (int i = 0; i < 5; i++) await Round();
        Assert.Equal(afterFirst, h.Engine.Stats.LiveTensors);
    }

    [Fact]
    public async Task A_lora_memory_budget_sizes_the_slot_pool()
    {
        // The fixture Llama: 21 linear layers; at rank 8 one slot is 8 × (sum of in + out) floats.
        long perSlot = Runtime.Adapters.Serving.LoraSlotPool.BytesPerSlot(ModelCache.Family("llama").LinearSites, 8, TorchSharp.torch.ScalarType.Float32);
        await using var h = new EngineHarness("llama", Small with { LoraPoolBytes = 3 * perSlot + perSlot / 2 });
        Assert.Equal(3, h.Engine.LoraSlots);
    }
}
