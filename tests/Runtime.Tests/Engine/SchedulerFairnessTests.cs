using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using Peft.Runtime.Adapters.Registry;
using Peft.Runtime.Engine;
using Peft.Runtime.Engine.Output;
using Peft.Runtime.Engine.Sampling;
using Peft.Runtime.Engine.Scheduling;
using Peft.Runtime.Models.Cache;

namespace Peft.Runtime.Tests.Engine;

/// <summary>
/// The scheduling policy alone, with simulated time and a two-slot adapter memory: no model, no tensors.
/// Each step takes 10 ms; a sequence finishes after its output length in decode steps.
/// </summary>
public sealed class SchedulerFairnessTests
{
    private static readonly TimeSpan StepTime = TimeSpan.FromMilliseconds(10);

    [Fact]
    public void A_rare_adapter_behind_two_busy_popular_ones_gets_a_slot_within_an_exchange_round()
    {
        var result = Simulate(TimeSpan.FromMilliseconds(200));
        Assert.NotNull(result.RareAdmittedAfter);
        // One exchange interval, plus draining the popular adapters' running sequences (8 steps each).
        Assert.True(result.RareAdmittedAfter <= TimeSpan.FromMilliseconds(200) + 10 * StepTime, $"admitted after {result.RareAdmittedAfter}");
        Assert.True(result.Completed > 100, "popular traffic kept flowing");
    }

    [Fact]
    public void Without_exchange_rounds_the_rare_adapter_starves()
    {
        var result = Simulate(TimeSpan.MaxValue);
        Assert.Null(result.RareAdmittedAfter);
    }

    [Fact]
    public void Preemption_returns_the_newest_running_sequence_to_the_front_of_the_queue()
    {
        var time = new FakeTimeProvider();
        var blocks = new BlockAllocator(4);
        var scheduler = new Scheduler(new EngineOptions { KvBlockSize = 4 }, blocks, new Slots(2), time);
        var old = Sequence(1, null, promptLength: 8, time);
        var young = Sequence(2, null, promptLength: 8, time);
        scheduler.Enqueue(old);
        time.Advance(StepTime);
        scheduler.Enqueue(young);

        var plan = scheduler.Schedule();
        Assert.Equal([old, young], plan.Chunks.Select(c => c.Sequence));
        foreach (var (s, n) in plan.Chunks) Decode(s, n);

        // Both fill their two blocks exactly; the first generated token needs a third block and none is free,
        // so the newest sequence gives its blocks up.
        plan = scheduler.Schedule();
        Assert.Equal([young], plan.Preempted);
        Assert.Equal([old], plan.Chunks.Select(c => c.Sequence));
        Assert.Equal(SequenceStatus.Waiting, young.Status);
        Assert.Equal(0, young.Computed);
        Assert.Equal(9, young.Tokens.Count);   // its generated token is kept and recomputed later
    }

    private sealed record Outcome(TimeSpan? RareAdmittedAfter, int Completed);

    private static Outcome Simulate(TimeSpan exchangeInterval)
    {
        var time = new FakeTimeProvider();
        var options = new EngineOptions { KvBlockSize = 16, MaxRunningSequences = 8, AdapterExchangeInterval = exchangeInterval };
        var slots = new Slots(2);
        var scheduler = new Scheduler(options, new BlockAllocator(10_000), slots, time);
        var popular = new[] { Version("a"), Version("b") };
        var rare = Version("rare");
        Sequence? rareSequence = null;
        DateTimeOffset? rareArrival = null, rareAdmitted = null;
        int completed = 0, id = 0;

        for (int step = 0; step < 300; step++)
        {
            // Open-loop arrivals: the popular adapters always have work waiting.
            foreach (var v in popular) scheduler.Enqueue(Sequence(++id, v, promptLength: 4, time));
            if (step == 5)
            {
                rareSequence = Sequence(++id, rare, promptLength: 4, time);
                rareArrival = time.GetUtcNow();
                scheduler.Enqueue(rareSequence);
            }
            var plan = scheduler.Schedule();
            foreach (var (s, n) in plan.Chunks)
            {
                if (s == rareSequence) rareAdmitted ??= time.GetUtcNow();
                Decode(s, n);
                if (s.Pending == 1 && s.GeneratedCount >= 8)
                {
                    scheduler.Remove(s);
                    completed++;
                }
            }
            time.Advance(StepTime);
        }
        return new Outcome(rareAdmitted - rareArrival, completed);
    }

    /// <summary>What the engine does after a pass: commit the entries and, at the end of the stream, add a token.</summary>
    private static void Decode(Sequence s, int count)
    {
        s.Kv!.Commit(count);
        if (s.Pending == 0) s.Tokens.Add(7);
    }

    private static AdapterVersion Version(string id) =>
        new(id, $"/adapters/{id}", new string('0', 64), new AdapterFacts("LORA", 8, ["q_proj"], 0, 1000), DateTimeOffset.UnixEpoch);

    private static Sequence Sequence(long id, AdapterVersion? adapter, int promptLength, TimeProvider time)
    {
        var request = new GenerationRequest { PromptTokens = Enumerable.Repeat(5, promptLength).ToArray() };
        return new Sequence(id, request, adapter, new TokenSampler(request.Sampling, request.PromptTokens),
            new OutputProcessor(request.Sampling, new HashSet<int>(), NoTextDecoder.Instance, 100, 1000),
            Channel.CreateUnbounded<GenerationEvent>().Writer, time.GetUtcNow(), 100);
    }

    /// <summary>An adapter memory of <c>count</c> LoRA slots: a slot is free when no running sequence uses it.</summary>
    private sealed class Slots(int count) : IAdapterResidency
    {
        private readonly Dictionary<AdapterVersion, int> _references = [];

        public bool IsReady(Sequence sequence, out string? failure)
        {
            failure = null;
            return true;
        }

        public bool IsResident(Sequence sequence) => sequence.Adapter is { } v && _references.ContainsKey(v);

        public BindResult TryBind(Sequence sequence)
        {
            if (sequence.Adapter is not { } v) return BindResult.Bound;
            if (!_references.ContainsKey(v))
            {
                if (_references.Count >= count)
                {
                    var idle = _references.FirstOrDefault(p => p.Value == 0).Key;
                    if (idle is null) return BindResult.NoSlot;
                    _references.Remove(idle);
                }
                _references[v] = 0;
            }
            _references[v] = _references.GetValueOrDefault(v) + 1;
            sequence.Binding = new Runtime.Adapters.Serving.SlotBinding(0);
            return BindResult.Bound;
        }

        public void Unbind(Sequence sequence) => _references[sequence.Adapter!]--;
    }
}
