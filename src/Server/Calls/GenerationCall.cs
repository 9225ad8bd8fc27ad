using Peft.Runtime.Engine;
using Peft.Server.Errors;
using Peft.Server.Hosting;
using Peft.Server.Telemetry;

namespace Peft.Server.Calls;

/// <summary>
/// One generation request inside a call of either edge: validated by the shared rules, submitted to the engine with
/// a cancellation source linked to the call, so a client disconnect or deadline stops it within one engine step.
/// Disposing stops a request that has not finished (e.g. a failed write), which frees its KV blocks and lease.
/// </summary>
internal sealed class GenerationCall : IDisposable
{
    private readonly CancellationTokenSource _cancel;
    private bool _finished;

    private GenerationCall(GenerationStream stream, CancellationTokenSource cancel, GenerationTrace trace, string adapterId)
    {
        Stream = stream;
        _cancel = cancel;
        Trace = trace;
        AdapterId = adapterId;
    }

    public GenerationStream Stream { get; }
    public GenerationTrace Trace { get; }
    public string AdapterId { get; }
    public string AdapterVersion => Stream.AdapterVersion;

    /// <param name="method">The edge's name for the call, for traces ("/peft.v1.Generation/Generate", "POST /v1/completions").</param>
    /// <param name="prompt">The prompt's tokens when the caller has already computed them (an OpenAI request with n
    /// choices tokenizes once); null: from <paramref name="input"/> by <see cref="PromptRules"/>.</param>
    public static GenerationCall Start(GenerationInput input, LoadedModel model, string method, CancellationToken callAborted,
        IReadOnlyList<int>? prompt = null)
    {
        prompt ??= PromptRules.Tokens(input.Prompt, model, callAborted);
        var sampling = SamplingRules.Build(input.Sampling, model.VocabSize, model.Tokenizer is not null);
        string adapterId = input.AdapterId;
        if (adapterId.Length > 0 && !AdapterIdRules.IsValid(adapterId, out string? problem))
            throw ApiErrors.Invalid(problem);

        var trace = GenerationTrace.Start(method, adapterId, input.RequestId, prompt.Count, input.User);
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(callAborted);
        try
        {
            // Acquire last: from here the engine owns the lease, also when it rejects the request.
            var lease = adapterId.Length > 0 ? model.Registry.Acquire(adapterId) : null;
            var stream = model.Engine.Submit(new GenerationRequest
            {
                PromptTokens = prompt,
                Adapter = lease,
                Sampling = sampling,
                RequestId = input.RequestId,
                TaskId = input.TaskId,
            }, cancel.Token);
            trace.Submitted(stream);
            return new GenerationCall(stream, cancel, trace, adapterId);
        }
        catch (Exception e)
        {
            trace.Failed(e);
            trace.Dispose();
            cancel.Dispose();
            throw;
        }
    }

    /// <summary>The next event, with a finish event that is already waiting merged in: (tokens, finish).</summary>
    public async ValueTask<(TokensGenerated? Tokens, GenerationFinished? Finish)> NextAsync()
    {
        var reader = Stream.Events;
        while (true)
        {
            if (reader.TryRead(out var next))
            {
                switch (next)
                {
                    case TokensGenerated tokens:
                        Trace.FirstToken();
                        // The finish travels on the last tokens; its own event, when already there, is consumed with them.
                        var finish = tokens.Last;
                        if (reader.TryPeek(out var after) && after is GenerationFinished f && reader.TryRead(out _)) finish ??= f;
                        if (finish is not null) Finish(finish);
                        return (tokens, finish);
                    case GenerationFinished done:
                        Finish(done);
                        return (null, done);
                }
                continue;
            }
            try
            {
                if (!await reader.WaitToReadAsync(CancellationToken.None))
                    throw new InvalidOperationException("the engine closed the stream without a finish event");
            }
            catch (Exception e)
            {
                Trace.Failed(e);
                throw;
            }
        }
    }

    private void Finish(GenerationFinished finish)
    {
        _finished = true;
        Trace.Finished(finish.Reason, finish.CompletionTokens);
    }

    public void Dispose()
    {
        if (!_finished) _cancel.Cancel();
        Stream.Dispose();
        _cancel.Dispose();
        Trace.Dispose();
    }
}
