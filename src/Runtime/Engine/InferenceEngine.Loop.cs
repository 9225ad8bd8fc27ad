using System.Runtime.InteropServices;
using Peft.Runtime.Engine.Batching;
using Peft.Runtime.Engine.Sampling;
using Peft.Runtime.Engine.Scheduling;
using Peft.Runtime.Engine.Testing;
using Peft.Runtime.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Engine;

/// <summary>The engine thread: the only code that touches the model, the cache and the slots.</summary>
public sealed partial class InferenceEngine
{
    private float[] _logits = [];

    /// <summary>
    /// The engine thread and its failure boundaries, innermost first. A failed forward pass fails the sequences of
    /// that step; a failure while sampling or streaming one sequence fails that sequence; an adapter that cannot be
    /// loaded or copied to the device fails the requests waiting for it (the scheduler); background work that throws
    /// out of its own boundary is stopped and told (<see cref="IEngineBackgroundWork.Fault"/>) while serving goes on.
    /// Anything else is a fault of the engine's own state: every request it holds fails with UNAVAILABLE, the thread
    /// ends, <see cref="Fault"/> says why (the server reports NOT_SERVING), and nothing escapes the thread.
    /// </summary>
    private void Run()
    {
        try
        {
            // Before this thread's first parallel op, so the libtorch workers it starts inherit the setting too.
            FloatingPoint.FlushDenormals();
            while (Iterate())
            {
            }
        }
#pragma warning disable CA1031 // The thread's outermost boundary: a fault is reported, never rethrown.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _fault = $"{e.GetType().Name}: {e.Message}";
            Raise(Faulted, e);
        }
        finally
        {
            _ended = true;
            var error = _fault is { } fault ? new RequestRejectedException(RejectReason.Unavailable, EngineFaultMessage(fault)) : null;
            foreach (var sequence in _scheduler.All.ToArray())
            {
                if (error is null) Cancel(sequence);
                else Abandon(sequence, error);
            }
            DrainSubmitted();
            _stopped.TrySetResult();
        }
    }

    /// <summary>One pass of the loop; false once the engine should stop.</summary>
    private bool Iterate()
    {
        Intake();
        RetireCancelled();
        _adapters.Collect();
        if (_stopping && (!_draining || !_scheduler.All.Any())) return false;
        Pass(EnginePoint.BeforeSchedule);
        // Again: a request cancelled while the thread was held above never runs (in production, a cheap rescan).
        RetireCancelled();

        var plan = _scheduler.Schedule();
        PublishActivity();
        foreach (var (sequence, error) in plan.Failed) Fail(sequence, error);
        foreach (var _ in plan.Preempted)
        {
            _metrics.Preempted();
            Interlocked.Increment(ref _preemptions);
        }
        foreach (var (sequence, _) in plan.Chunks) LeaveQueue(sequence);
        if (plan.IsEmpty)
        {
            if (_background is { HasWork: true } idleWork)
            {
                RunBackground(idleWork);
                return true;
            }
            // Nothing runnable: wait for a submission or cancellation, or poll adapter loads in flight. Freed heap
            // memory goes back to the kernel only once a quiet spell passed with nothing submitted, so requests that
            // come one after another do not fault their activations in again each time.
            if (_scheduler.WaitingCount > 0) _wake.Wait(5);
            else if (_heapTrims.QuietSpell is not { } quiet) _wake.Wait(Timeout.Infinite);
            else if (!_wake.Wait(quiet)) _heapTrims.AfterQuietSpell();
            return true;
        }
        long started = _time.GetTimestamp();
        Step(plan);
        Interlocked.Exchange(ref _liveTensors, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        _pacer.Served(_time.GetElapsedTime(started));
        _steps++;
        _heapTrims.AfterStep();
        Pass(EnginePoint.AfterStep);
        if (_background is { HasWork: true } work && _pacer.Due) RunBackground(work);
        return true;
    }

    /// <summary>Publishes a new <see cref="AdapterActivity"/> when the adapters changed, and otherwise at most once a
    /// second (a fresh time tells routers the replica is alive).</summary>
    private void PublishActivity()
    {
        var now = _time.GetUtcNow();
        var last = _activity;
        string[] resident = [.. _adapters.ResidentIds.Order(StringComparer.Ordinal)];
        string[] waiting = [.. _scheduler.Waiting.Select(s => s.Adapter).OfType<Adapters.Registry.AdapterVersion>()
            .Where(v => !v.OnDevice).Select(v => v.Id).Distinct().Order(StringComparer.Ordinal)];
        if (last.SameAdapters(resident, waiting) && now - last.At < TimeSpan.FromSeconds(1)) return;
        _activity = new AdapterActivity(resident, waiting, _pool.SlotCount, now);
    }

    private void RunBackground(IEngineBackgroundWork work)
    {
        long started = _time.GetTimestamp();
        try
        {
            work.RunUnit();
        }
#pragma warning disable CA1031 // The work's own boundary failed: it stops, serving does not.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _background = null;
            try
            {
                work.Fault(e);
            }
#pragma warning disable CA1031 // Telling broken work that it is broken must not break the engine too.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
            Raise(BackgroundFaulted, e);
        }
        _pacer.RanUnit(_time.GetElapsedTime(started));
        _backgroundUnits++;
        Pass(EnginePoint.AfterBackgroundUnit);
    }

    /// <summary>Raises an engine event; a failing handler is the handler's problem, never the engine's.</summary>
    private static void Raise(Action<Exception>? handlers, Exception error)
    {
        if (handlers is null) return;
        foreach (var handler in handlers.GetInvocationList().Cast<Action<Exception>>())
        {
            try
            {
                handler(error);
            }
#pragma warning disable CA1031 // See the summary.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }

    private void Intake()
    {
        while (_submitted.TryDequeue(out var sequence)) _scheduler.Enqueue(sequence);
        Volatile.Write(ref _waitingApprox, _scheduler.WaitingCount);
    }

    private void RetireCancelled()
    {
        foreach (var sequence in _scheduler.All.Where(s => s.CancelRequested).ToArray()) Cancel(sequence);
    }

    private void Step(StepPlan plan)
    {
        _metrics.Step(plan.Chunks.Count);
        int vocab;
        using (var scope = NewDisposeScope())
        {
            var chunks = plan.Chunks.Select(c => new SequenceChunk(c.Sequence.Kv!, c.Sequence.NextChunk(c.Count), c.Sequence.Binding)).ToArray();
            try
            {
                using var step = new StepBatch(chunks, _cache, _pool, _options.LoraKernel, _model.Device, _options.LoraFastPaths);
                vocab = CopyLogits(step.Run(_model));
            }
#pragma warning disable CA1031 // A failed pass (device out of memory, a kernel error) fails its sequences, not the server.
            catch (Exception e)
#pragma warning restore CA1031
            {
                foreach (var (sequence, _) in plan.Chunks) Fail(sequence, e);
                return;
            }
        }
        var now = _time.GetUtcNow();
        for (int i = 0; i < plan.Chunks.Count; i++)
        {
            var (sequence, count) = plan.Chunks[i];
            try
            {
                if (sequence.Computed <= sequence.VirtualTokens + sequence.PromptLength) _metrics.PromptTokens(sequence, count);
                if (sequence.Pending == 0) Sample(sequence, _logits.AsSpan(i * vocab, vocab), now);
            }
#pragma warning disable CA1031 // Sampling or streaming one sequence (its decoder, its stop strings) fails that sequence only.
            catch (Exception e)
#pragma warning restore CA1031
            {
                if (sequence.Status != SequenceStatus.Finished) Fail(sequence, e);
            }
        }
    }

    /// <summary>
    /// Copies the step's logits [rows, vocab] into the engine's reusable buffer (grown, never shrunk): a fresh array per
    /// row and step would put megabytes a step on the large-object heap and wake the collector all the time.
    /// </summary>
    /// <returns>The vocabulary size (row stride in the buffer).</returns>
    private int CopyLogits(Tensor logits)
    {
        using var cpu = logits.cpu().contiguous();
        var values = MemoryMarshal.Cast<byte, float>(cpu.bytes);
        if (_logits.Length < values.Length) _logits = new float[values.Length];
        values.CopyTo(_logits);
        return (int)cpu.size(1);
    }

    private void Sample(Sequence sequence, ReadOnlySpan<float> logits, DateTimeOffset now)
    {
        var choice = sequence.Sampler.Sample(logits);
        sequence.Sampler.Accept(choice.TokenId);
        sequence.Tokens.Add(choice.TokenId);
        sequence.FirstTokenAt ??= now;
        sequence.LastTokenAt = now;

        var (text, finish) = sequence.Output.Accept(choice.TokenId, sequence.GeneratedCount, sequence.StreamLength);
        IReadOnlyList<TokenChoice>? logprobs = sequence.Request.Sampling.TopLogprobs is null ? null : [choice];
        var tokens = new TokensGenerated([choice.TokenId], text, logprobs);
        if (finish is { } reason) Finish(sequence, reason, now, tokens);
        else sequence.Events.TryWrite(tokens);
    }

    // Every way out releases the sequence's KV blocks and adapter lease before completing its stream, so a caller that
    // sees the end of a stream sees its resources free; the Retired event (a test hook) comes last.
    private void Finish(Sequence sequence, FinishReason reason, DateTimeOffset now, TokensGenerated? last = null)
    {
        Release(sequence);
        _metrics.Finished(sequence, reason.ToString(), now);
        var finished = new GenerationFinished(reason, sequence.PromptLength, sequence.GeneratedCount);
        if (last is not null) sequence.Events.TryWrite(last with { Last = finished });
        sequence.Events.TryWrite(finished);
        sequence.Events.TryComplete();
        Retired(sequence, SequenceOutcome.Finished);
    }

    private void Cancel(Sequence sequence)
    {
        Release(sequence);
        _metrics.Finished(sequence, "cancelled", _time.GetUtcNow());
        sequence.Events.TryComplete(new OperationCanceledException("the request was cancelled"));
        Retired(sequence, SequenceOutcome.Cancelled);
    }

    /// <summary>Ends requests the engine thread never took (it stopped, or faulted, before their intake).</summary>
    private void DrainSubmitted()
    {
        while (_submitted.TryDequeue(out var late)) CancelUnscheduled(late);
    }

    private void CancelUnscheduled(Sequence sequence)
    {
        LeaveQueue(sequence);
        sequence.Request.Adapter?.Dispose();
        sequence.Events.TryComplete(_fault is { } fault
            ? new RequestRejectedException(RejectReason.Unavailable, EngineFaultMessage(fault))
            : new OperationCanceledException("the server stopped before the request ran"));
        Retired(sequence, _fault is null ? SequenceOutcome.Cancelled : SequenceOutcome.Failed);
    }

    /// <summary>Ends a sequence after an engine fault: its lease first, the bookkeeping (which may be what broke) best
    /// effort, then its caller.</summary>
    private void Abandon(Sequence sequence, Exception error)
    {
        LeaveQueue(sequence);
        sequence.Status = SequenceStatus.Finished;
        sequence.Request.Adapter?.Dispose();
        try
        {
            _scheduler.Remove(sequence);
        }
#pragma warning disable CA1031 // The engine is already stopping for a fault; its bookkeeping is not trusted.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        sequence.Events.TryComplete(error);
        Retired(sequence, SequenceOutcome.Failed);
    }

    private void Fail(Sequence sequence, Exception error)
    {
        Release(sequence);
        _metrics.Finished(sequence, "failed", _time.GetUtcNow());
        sequence.Events.TryComplete(error);
        Retired(sequence, SequenceOutcome.Failed);
    }

    private void Release(Sequence sequence)
    {
        LeaveQueue(sequence);
        _scheduler.Remove(sequence);
        sequence.Status = SequenceStatus.Finished;
        sequence.Request.Adapter?.Dispose();
    }
}
