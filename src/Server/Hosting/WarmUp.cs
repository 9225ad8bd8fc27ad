using System.Diagnostics;
using Peft.Runtime.Engine;
using Peft.Runtime.Engine.Sampling;

namespace Peft.Server.Hosting;

/// <summary>
/// The worst-case step before reporting SERVING: one prompt as long as a step may compute (Engine:MaxBatchTokens,
/// bounded by the context and the KV cache), then a decode step. First-touch allocations, kernel selection and
/// page faults happen here instead of in the first user's request. It counts as one request of the base model in
/// the engine's metrics.
/// </summary>
internal static class WarmUp
{
    public static async Task<(int Tokens, TimeSpan Took)> RunAsync(LoadedModel loaded, CancellationToken cancellationToken)
    {
        var options = loaded.Engine.Options;
        int context = loaded.Model.Config.MaxPositionEmbeddings;
        if (options.MaxContextTokens > 0) context = Math.Min(context, options.MaxContextTokens);
        long kv = loaded.Engine.KvCapacity;
        int tokens = (int)Math.Max(1, Math.Min(options.MaxBatchTokens, Math.Min(context - 3, kv - 3)));

        var clock = Stopwatch.StartNew();
        using var stream = loaded.Engine.Submit(new GenerationRequest
        {
            PromptTokens = Enumerable.Repeat(0, tokens).ToArray(),
            Sampling = new SamplingParams { MaxNewTokens = 2, IgnoreEos = true },
            RequestId = "warm-up",
        }, cancellationToken);
        await foreach (var _ in stream.Events.ReadAllAsync(CancellationToken.None))
        {
        }
        return (tokens, clock.Elapsed);
    }
}
