using System.Threading.Channels;
using Peft.Runtime.Adapters.Registry;
using Peft.Runtime.Engine;
using Peft.Runtime.Engine.Sampling;

namespace Peft.LoadTests.Targets;

/// <summary>
/// The engine in this process, used the way the gRPC service uses it: lease the adapter from the registry,
/// submit token ids, read the request's channel. Statuses are named as the server would map them.
/// The target owns the engine only when told so (it then stops it on dispose); never the registry.
/// </summary>
internal sealed class InProcessTarget(InferenceEngine engine, AdapterRegistry? registry, bool ownsEngine = false) : ITarget
{
    public string Name => "in-process engine";

    public async Task<TargetOutcome> SendAsync(TargetRequest request, Action<int> onTokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(onTokens);
        AdapterLease? lease = null;
        GenerationStream stream;
        try
        {
            if (request.AdapterId is { } id)
                lease = (registry ?? throw new InvalidOperationException("adapters need a registry")).Acquire(id);
            stream = engine.Submit(new GenerationRequest
            {
                PromptTokens = request.PromptTokens,
                Adapter = lease,
                Sampling = new SamplingParams { MaxNewTokens = request.MaxNewTokens, IgnoreEos = true },
            }, cancellationToken);
        }
        catch (AdapterNotFoundException e)
        {
            return new TargetOutcome("NotFound", 0, e.Message);
        }
        catch (RequestRejectedException e)
        {
            return new TargetOutcome(e.Reason.ToString(), 0, e.Message);
        }

        int tokens = 0;
        using (stream)
        {
            try
            {
                await foreach (var e in stream.Events.ReadAllAsync(CancellationToken.None))
                {
                    switch (e)
                    {
                        case TokensGenerated t:
                            tokens += t.TokenIds.Count;
                            onTokens(t.TokenIds.Count);
                            break;
                        case GenerationFinished:
                            return new TargetOutcome(TargetOutcome.Ok, tokens);
                    }
                }
                return new TargetOutcome("Internal", tokens, "the stream ended without a finish event");
            }
            catch (OperationCanceledException e)
            {
                return new TargetOutcome("Cancelled", tokens, e.Message);
            }
            catch (Exception e) when (e is not ChannelClosedException)
            {
                return new TargetOutcome("Failed", tokens, $"{e.GetType().Name}: {e.Message}");
            }
        }
    }

    public ValueTask DisposeAsync() => ownsEngine ? engine.DisposeAsync() : ValueTask.CompletedTask;
}
