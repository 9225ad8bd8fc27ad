namespace Peft.LoadTests.Reporting;

/// <summary>
/// What the runner saw of one request, in seconds since the run started. <see cref="FirstToken"/> and
/// <see cref="LastToken"/> are null when no token arrived; <see cref="Error"/> is the target's message for a failure.
/// </summary>
internal sealed record RequestRecord(
    int Index,
    string? AdapterId,
    int PromptTokens,
    int RequestedTokens,
    double Scheduled,
    double Sent,
    double? FirstToken,
    double? LastToken,
    double Done,
    int OutputTokens,
    string Status,
    string? Error = null)
{
    public bool IsOk => Status == Targets.TargetOutcome.Ok;

    /// <summary>Time to first token, from the scheduled arrival (open loop: lateness of the sender counts).</summary>
    public double? Ttft => FirstToken - Scheduled;

    /// <summary>Mean time per output token after the first; null with fewer than two tokens.</summary>
    public double? Tpot => OutputTokens > 1 && FirstToken is { } first && LastToken is { } last ? (last - first) / (OutputTokens - 1) : null;

    /// <summary>End-to-end latency from the scheduled arrival.</summary>
    public double EndToEnd => Done - Scheduled;
}
