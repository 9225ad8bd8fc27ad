using Peft.Runtime.Engine.Testing;

namespace Peft.Runtime.Engine;

/// <summary>The engine's test hooks: where the loop can be held, and the request events it reports.</summary>
public sealed partial class InferenceEngine
{
    private long _steps;
    private long _backgroundUnits;

    /// <summary>Holds of the engine thread and recordings of request events, for tests.</summary>
    public EngineTestHooks TestHooks { get; } = new();

    /// <summary>On the engine thread: a point a test may hold the loop at.</summary>
    private void Pass(EnginePoint point) => TestHooks.Pass(point, () => new EngineView(point, _steps, _backgroundUnits, _stopping,
        [.. _scheduler.All.Select(s => new SequenceView(s.Id, s.Adapter?.Id, s.Adapter?.ContentHash, s.Status, s.GeneratedCount, s.MaxNewTokens, s.CancelRequested))]));

    private void Publish(Func<EngineEvent> e)
    {
        if (TestHooks.Recording) TestHooks.Publish(e());
    }

    /// <summary>After the sequence's KV blocks and adapter lease are released.</summary>
    private void Retired(Sequence sequence, SequenceOutcome outcome) =>
        Publish(() => new SequenceRetired(sequence.Id, sequence.Adapter?.Id, outcome, sequence.GeneratedCount));
}
