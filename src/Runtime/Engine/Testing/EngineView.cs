namespace Peft.Runtime.Engine.Testing;

/// <summary>The engine thread's state at a hold point: how much it has done and every sequence it owns.</summary>
/// <param name="Steps">Serving steps run so far.</param>
/// <param name="BackgroundUnits">Units of background work run so far.</param>
public sealed record EngineView(EnginePoint Point, long Steps, long BackgroundUnits, bool Stopping, IReadOnlyList<SequenceView> Sequences)
{
    /// <summary>The sequences serving <paramref name="adapterId"/> (null: the base model).</summary>
    public IEnumerable<SequenceView> Of(string? adapterId) => Sequences.Where(s => s.AdapterId == adapterId);
}

/// <param name="AdapterId">The adapter id it serves; null for the base model.</param>
/// <param name="Generated">Tokens generated (and streamed) so far.</param>
public sealed record SequenceView(long Id, string? AdapterId, string? AdapterVersion, SequenceStatus Status, int Generated, int MaxNewTokens, bool CancelRequested);
