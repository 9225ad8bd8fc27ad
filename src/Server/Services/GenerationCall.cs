using Grpc.Core;
using Peft.Protos.V1;
using Peft.Runtime.Engine;
using Peft.Server.Errors;
using Peft.Server.Hosting;
using Peft.Server.Telemetry;
using FinishReason = Peft.Runtime.Engine.FinishReason;

namespace Peft.Server.Services;

/// <summary>
/// One generation request inside a gRPC call: validated and mapped from the proto, submitted to the engine with
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

    public static GenerationCall Start(GenerateRequest request, LoadedModel model, ServerCallContext context)
    {
        var prompt = PromptMapper.Tokens(request, model);
        var sampling = SamplingMapper.Map(request.Sampling, model.VocabSize, model.Tokenizer is not null);
        string adapterId = request.AdapterId;
        if (adapterId.Length > 0 && !AdapterIdRules.IsValid(adapterId, out string? problem))
            throw RpcErrors.Invalid(problem);

        var trace = GenerationTrace.Start(context.Method, adapterId, request.RequestId, prompt.Count);
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        try
        {
            // Acquire last: from here the engine owns the lease, also when it rejects the request.
            var lease = adapterId.Length > 0 ? model.Registry.Acquire(adapterId) : null;
            var stream = model.Engine.Submit(new GenerationRequest
            {
                PromptTokens = prompt,
                Adapter = lease,
                Sampling = sampling,
                RequestId = request.RequestId,
                TaskId = request.HasTaskId ? (int)Math.Min(request.TaskId, int.MaxValue) : null,
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
                        var finish = reader.TryPeek(out var after) && after is GenerationFinished f && reader.TryRead(out _) ? f : null;
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

    public static Protos.V1.FinishReason Map(FinishReason reason) => reason switch
    {
        FinishReason.Length => Protos.V1.FinishReason.Length,
        FinishReason.Eos => Protos.V1.FinishReason.Eos,
        FinishReason.StopString => Protos.V1.FinishReason.StopString,
        FinishReason.StopToken => Protos.V1.FinishReason.StopToken,
        _ => Protos.V1.FinishReason.Unspecified,
    };

    public static Usage Usage(GenerationFinished finish) =>
        new() { PromptTokens = (uint)finish.PromptTokens, CompletionTokens = (uint)finish.CompletionTokens };

    public void Dispose()
    {
        if (!_finished) _cancel.Cancel();
        Stream.Dispose();
        _cancel.Dispose();
        Trace.Dispose();
    }
}
