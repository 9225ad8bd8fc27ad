namespace Peft.LoadTests.Targets;

/// <summary>
/// Something that serves generation requests: the engine in this process, or a server over gRPC. A target
/// reports tokens as they stream (so the runner can time the first one) and how the request ended; it never
/// throws for a request that failed, it says so in the outcome.
/// </summary>
internal interface ITarget : IAsyncDisposable
{
    string Name { get; }

    /// <param name="onTokens">Called with the number of tokens in each streamed chunk, as it arrives.</param>
    Task<TargetOutcome> SendAsync(TargetRequest request, Action<int> onTokens, CancellationToken cancellationToken);
}

/// <summary>A request as a target takes it. <see cref="AdapterId"/> null: the base model.</summary>
internal sealed record TargetRequest(string? AdapterId, IReadOnlyList<int> PromptTokens, int MaxNewTokens);

/// <summary>How a request ended: <see cref="Ok"/> or a gRPC-style status name, with the error text.</summary>
internal sealed record TargetOutcome(string Status, int OutputTokens, string? Error = null)
{
    public const string Ok = "OK";

    public bool IsOk => Status == Ok;
}
