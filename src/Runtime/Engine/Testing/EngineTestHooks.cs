namespace Peft.Runtime.Engine.Testing;

/// <summary>
/// Test hooks of one engine: holds of the engine thread at a known point (<see cref="HoldAt"/>) and recordings of
/// request events (<see cref="Record"/>), so tests prove states (a request is mid-stream while an adapter is replaced,
/// a cancellation freed its blocks) rather than timings. Unused, they cost the engine one volatile read per point.
/// </summary>
public sealed class EngineTestHooks
{
    private readonly Lock _lock = new();
    private EngineHold[] _holds = [];
    private EngineRecording[] _recordings = [];

    /// <summary>Holds the engine thread the first time it passes <paramref name="point"/> with a state <paramref name="when"/> accepts.</summary>
    public EngineHold HoldAt(EnginePoint point, Func<EngineView, bool> when)
    {
        ArgumentNullException.ThrowIfNull(when);
        var hold = new EngineHold(this, point, when);
        lock (_lock) _holds = [.. _holds, hold];
        return hold;
    }

    /// <summary>Holds the engine thread after the step in which a sequence of <paramref name="adapterId"/> (null: any
    /// sequence) has generated at least <paramref name="tokens"/> tokens.</summary>
    public EngineHold HoldAfterTokens(int tokens, string? adapterId = null) =>
        HoldAt(EnginePoint.AfterStep, v => v.Sequences.Any(s => s.Generated >= tokens && (adapterId is null || s.AdapterId == adapterId)));

    /// <summary>Starts recording request events (from now on).</summary>
    public EngineRecording Record()
    {
        var recording = new EngineRecording(this);
        lock (_lock) _recordings = [.. _recordings, recording];
        return recording;
    }

    internal bool Recording => Volatile.Read(ref _recordings).Length > 0;

    /// <summary>On the engine thread at <paramref name="point"/>: parks at the first armed hold whose condition holds.</summary>
    internal void Pass(EnginePoint point, Func<EngineView> view)
    {
        var holds = Volatile.Read(ref _holds);
        if (holds.Length == 0) return;
        EngineView? state = null;
        foreach (var hold in holds)
        {
            if (hold.Point != point) continue;
            state ??= view();
            if (!hold.Matches(state)) continue;
            Disarm(hold);
            hold.Park(state);
            return;
        }
    }

    internal void Publish(EngineEvent e)
    {
        foreach (var recording in Volatile.Read(ref _recordings)) recording.Add(e);
    }

    internal void Disarm(EngineHold hold)
    {
        lock (_lock) _holds = [.. _holds.Where(h => h != hold)];
    }

    internal void Stop(EngineRecording recording)
    {
        lock (_lock) _recordings = [.. _recordings.Where(r => r != recording)];
    }
}
