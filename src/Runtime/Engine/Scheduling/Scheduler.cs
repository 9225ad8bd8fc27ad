using Peft.Runtime.Models.Cache;

namespace Peft.Runtime.Engine.Scheduling;

/// <summary>
/// Iteration-level scheduling policy; touches no tensors.
/// Each step: running sequences first, oldest first (decode rows take one token, unfinished prefills a chunk),
/// preempting the newest running sequence when the KV cache is full; then waiting sequences in arrival order
/// while the token, sequence and KV budgets last. A sequence whose LoRA adapter finds every slot held is skipped,
/// not waited on; once one has been blocked longer than the exchange interval, waiting sequences of other resident
/// LoRA adapters stop being admitted, so slots drain and the blocked adapter gets one (an exchange round).
/// </summary>
internal sealed class Scheduler
{
    private readonly EngineOptions _options;
    private readonly BlockAllocator _blocks;
    private readonly IAdapterResidency _adapters;
    private readonly TimeProvider _time;
    private readonly List<Sequence> _waiting = [];   // by arrival
    private readonly List<Sequence> _running = [];   // by admission

    public Scheduler(EngineOptions options, BlockAllocator blocks, IAdapterResidency adapters, TimeProvider time)
    {
        _options = options;
        _blocks = blocks;
        _adapters = adapters;
        _time = time;
    }

    public int WaitingCount => _waiting.Count;

    public int RunningCount => _running.Count;

    public IEnumerable<Sequence> All => _running.Concat(_waiting);

    public IReadOnlyList<Sequence> Waiting => _waiting;

    public void Enqueue(Sequence sequence) => InsertWaiting(sequence);

    /// <summary>Removes a sequence (finished, cancelled or failed) and frees what it holds.</summary>
    public void Remove(Sequence sequence)
    {
        if (_running.Remove(sequence)) Release(sequence);
        else _waiting.Remove(sequence);
    }

    public StepPlan Schedule()
    {
        var plan = new StepPlan();
        int tokens = _options.MaxBatchTokens;
        int slots = _options.MaxRunningSequences;

        foreach (var sequence in _running.ToArray())
        {
            if (sequence.Status != SequenceStatus.Running) continue;   // preempted earlier in this loop
            if (tokens == 0 || slots == 0) break;
            int count = Math.Min(sequence.Pending, tokens);
            if (!ReserveOrPreempt(sequence, count, plan)) continue;
            plan.Chunks.Add((sequence, count));
            tokens -= count;
            slots--;
        }
        if (plan.Preempted.Count == 0) Admit(plan, ref tokens, ref slots);
        return plan;
    }

    private bool ReserveOrPreempt(Sequence sequence, int count, StepPlan plan)
    {
        while (!sequence.Kv!.TryReserve(count, _blocks))
        {
            var victim = _running.Last(s => s.Status == SequenceStatus.Running);
            Preempt(victim, plan);
            if (victim == sequence) return false;
        }
        return true;
    }

    private void Admit(StepPlan plan, ref int tokens, ref int slots)
    {
        var now = _time.GetUtcNow();
        var exchangeFor = _waiting.FirstOrDefault(s => s.BlockedSince is { } since && now - since >= _options.AdapterExchangeInterval)?.Adapter;
        foreach (var sequence in _waiting.ToArray())
        {
            if (tokens == 0 || slots == 0) break;
            if (!_adapters.IsReady(sequence, out string? failure))
            {
                if (failure is not null)
                {
                    _waiting.Remove(sequence);
                    plan.Failed.Add((sequence, new RequestRejectedException(RejectReason.FailedPrecondition, failure)));
                }
                continue;
            }
            // An exchange round: resident adapters take no new work until the long-blocked one has a slot.
            if (exchangeFor is not null && sequence.Adapter != exchangeFor && _adapters.IsResident(sequence)) continue;

            int entries = sequence.Adapter?.Facts.VirtualTokens + sequence.Tokens.Count ?? sequence.Tokens.Count;
            sequence.Kv ??= new SequenceKv(_options.KvBlockSize);
            if (!sequence.Kv.TryReserve(entries, _blocks)) break;   // keep arrival order: later ones need blocks too
            BindResult bound;
            try
            {
                bound = _adapters.TryBind(sequence);
            }
#pragma warning disable CA1031 // Copying one adapter to the device (out of memory, a bad tensor) fails its request only.
            catch (Exception e)
#pragma warning restore CA1031
            {
                sequence.Kv.Release(_blocks);
                _waiting.Remove(sequence);
                plan.Failed.Add((sequence, e));
                continue;
            }
            if (bound == BindResult.NoSlot)
            {
                sequence.Kv.Release(_blocks);
                sequence.BlockedSince ??= now;
                continue;
            }
            sequence.BlockedSince = null;
            sequence.Status = SequenceStatus.Running;
            sequence.Timeline.MarkAdmitted(now);
            _waiting.Remove(sequence);
            _running.Add(sequence);

            int count = Math.Min(sequence.Pending, tokens);
            plan.Chunks.Add((sequence, count));
            tokens -= count;
            slots--;
        }
    }

    private void Preempt(Sequence sequence, StepPlan plan)
    {
        _running.Remove(sequence);
        Release(sequence);
        sequence.Status = SequenceStatus.Waiting;
        sequence.Preemptions++;
        plan.Preempted.Add(sequence);
        plan.Chunks.RemoveAll(c => c.Sequence == sequence);
        InsertWaiting(sequence);
    }

    private void Release(Sequence sequence)
    {
        sequence.Kv?.Release(_blocks);
        if (sequence.Binding is not null) _adapters.Unbind(sequence);
        sequence.Binding = null;
    }

    private void InsertWaiting(Sequence sequence)
    {
        int index = _waiting.FindIndex(s => s.Arrival > sequence.Arrival || (s.Arrival == sequence.Arrival && s.Id > sequence.Id));
        _waiting.Insert(index < 0 ? _waiting.Count : index, sequence);
    }
}
