using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Peft.Runtime.Engine;
using Peft.Server.Calls;
using Peft.Server.Hosting;

namespace Peft.Server.OpenAi;

/// <summary>One choice of a request to start: its input and its prompt's tokens (shared by the n choices of a prompt).</summary>
internal sealed record ChoiceSpec(GenerationInput Input, IReadOnlyList<int> PromptTokens);

/// <summary>An event of choice <see cref="Index"/>: tokens, a finish, or both (a finish already waiting is merged in).</summary>
internal readonly record struct ChoiceEvent(int Index, TokensGenerated? Tokens, GenerationFinished? Finish);

/// <summary>
/// The engine requests of one OpenAI request (prompts × n), submitted together so the engine batches them, their
/// events merged in arrival order. All or none: when one cannot be submitted (queue full, unknown adapter) the ones
/// already submitted are cancelled and the error is the request's. Disposing cancels what has not finished.
/// </summary>
/// <remarks>The engine has no shared-prefix cache: the n choices of a prompt are n sequences, each computing the
/// prompt in the same prefill step.</remarks>
internal sealed class ChoiceSet : IDisposable
{
    private readonly GenerationCall[] _calls;

    private ChoiceSet(GenerationCall[] calls) => _calls = calls;

    public int Count => _calls.Length;

    public GenerationCall this[int index] => _calls[index];

    public static ChoiceSet Start(IReadOnlyList<ChoiceSpec> specs, LoadedModel model, string method, CancellationToken aborted)
    {
        var calls = new List<GenerationCall>(specs.Count);
        try
        {
            foreach (var spec in specs) calls.Add(GenerationCall.Start(spec.Input, model, method, aborted, spec.PromptTokens));
            return new ChoiceSet([.. calls]);
        }
        catch
        {
            foreach (var call in calls) call.Dispose();
            throw;
        }
    }

    /// <summary>Every choice's events until each has finished; an engine failure of any choice ends the enumeration with it.</summary>
    public async IAsyncEnumerable<ChoiceEvent> EventsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (_calls.Length == 1)
        {
            while (true)
            {
                var (tokens, finish) = await _calls[0].NextAsync();
                yield return new ChoiceEvent(0, tokens, finish);
                if (finish is not null) yield break;
            }
        }
        var merged = Channel.CreateUnbounded<ChoiceEvent>(new UnboundedChannelOptions { SingleReader = true });
        int running = _calls.Length;
        for (int i = 0; i < _calls.Length; i++) _ = PumpAsync(i, merged.Writer);
        await foreach (var e in merged.Reader.ReadAllAsync(cancellationToken)) yield return e;

        async Task PumpAsync(int index, ChannelWriter<ChoiceEvent> writer)
        {
            try
            {
                while (true)
                {
                    var (tokens, finish) = await _calls[index].NextAsync();
                    writer.TryWrite(new ChoiceEvent(index, tokens, finish));
                    if (finish is not null) break;
                }
                if (Interlocked.Decrement(ref running) == 0) writer.TryComplete();
            }
            catch (Exception e)
            {
                writer.TryComplete(e);
            }
        }
    }

    public void Dispose()
    {
        foreach (var call in _calls) call.Dispose();
    }
}
