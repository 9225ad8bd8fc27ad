using System.Runtime.InteropServices;
using Peft.Runtime.Engine.Batching;
using Peft.Runtime.Engine.Sampling;
using Peft.Runtime.Engine.Scheduling;
using Peft.Runtime.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Engine;

/// <summary>The engine thread: the only code that touches the model, the cache and the slots.</summary>
public sealed partial class InferenceEngine
{
    private float[] _logits = [];

    private void Run()
    {
        // Before this thread's first parallel op, so the libtorch workers it starts inherit the setting too.
        FloatingPoint.FlushDenormals();
        try
        {
            while (true)
            {
                Intake();
                RetireCancelled();
                _adapters.Collect();
                if (_stopping && (!_draining || !_scheduler.All.Any())) break;

                var plan = _scheduler.Schedule();
                PublishActivity();
                foreach (var (sequence, reason) in plan.Failed) Fail(sequence, new RequestRejectedException(RejectReason.FailedPrecondition, reason));
                foreach (var _ in plan.Preempted)
                {
                    _metrics.Preempted();
                    Interlocked.Increment(ref _preemptions);
                }
                if (plan.IsEmpty)
                {
                    if (_background is { HasWork: true } idleWork)
                    {
                        RunBackground(idleWork);
                        continue;
                    }
                    // Nothing runnable: wait for a submission or cancellation, or poll adapter loads in flight.
                    _wake.Wait(_scheduler.WaitingCount > 0 ? 5 : Timeout.Infinite);
                    continue;
                }
                long started = _time.GetTimestamp();
                Step(plan);
                Interlocked.Exchange(ref _liveTensors, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
                _pacer.Served(_time.GetElapsedTime(started));
                if (_background is { HasWork: true } work && _pacer.Due) RunBackground(work);
            }
        }
        finally
        {
            foreach (var sequence in _scheduler.All.ToArray()) Cancel(sequence);
            while (_submitted.TryDequeue(out var late)) CancelUnscheduled(late);
            _stopped.TrySetResult();
        }
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
        work.RunUnit();
        _pacer.RanUnit(_time.GetElapsedTime(started));
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
                using var step = new StepBatch(chunks, _cache, _pool, _options.LoraKernel, _model.Device);
                vocab = CopyLogits(step.Run(_model));
            }
            catch (Exception e) when (e is ExternalException or InvalidOperationException or ArgumentException or OutOfMemoryException)
            {
                // A failed pass (device out of memory, a kernel error) fails its sequences, not the server.
                foreach (var (sequence, _) in plan.Chunks) Fail(sequence, e);
                return;
            }
        }
        var now = _time.GetUtcNow();
        for (int i = 0; i < plan.Chunks.Count; i++)
        {
            var (sequence, count) = plan.Chunks[i];
            if (sequence.Computed <= sequence.VirtualTokens + sequence.PromptLength) _metrics.PromptTokens(sequence, count);
            if (sequence.Pending == 0) Sample(sequence, _logits.AsSpan(i * vocab, vocab), now);
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
        return (int)cpu.shape[1];
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
        sequence.Events.TryWrite(new TokensGenerated([choice.TokenId], text, logprobs));
        if (finish is { } reason) Finish(sequence, reason, now);
    }

    private void Finish(Sequence sequence, FinishReason reason, DateTimeOffset now)
    {
        _scheduler.Remove(sequence);
        sequence.Status = SequenceStatus.Finished;
        sequence.Events.TryWrite(new GenerationFinished(reason, sequence.PromptLength, sequence.GeneratedCount));
        sequence.Events.TryComplete();
        _metrics.Finished(sequence, reason.ToString(), now);
        sequence.Request.Adapter?.Dispose();
    }

    private void Cancel(Sequence sequence)
    {
        _scheduler.Remove(sequence);
        sequence.Status = SequenceStatus.Finished;
        sequence.Events.TryComplete(new OperationCanceledException("the request was cancelled"));
        _metrics.Finished(sequence, "cancelled", _time.GetUtcNow());
        sequence.Request.Adapter?.Dispose();
    }

    private static void CancelUnscheduled(Sequence sequence)
    {
        sequence.Events.TryComplete(new OperationCanceledException("the server stopped before the request ran"));
        sequence.Request.Adapter?.Dispose();
    }

    private void Fail(Sequence sequence, Exception error)
    {
        _scheduler.Remove(sequence);
        sequence.Status = SequenceStatus.Finished;
        sequence.Events.TryComplete(error);
        _metrics.Finished(sequence, "failed", _time.GetUtcNow());
        sequence.Request.Adapter?.Dispose();
    }
}
