using System.Text;
using Peft.Runtime.Engine;
using Peft.Runtime.Engine.Sampling;

namespace Peft.Server.OpenAi;

/// <summary>One choice gathered whole, for a response that is not streamed.</summary>
internal sealed class ChoiceResult
{
    private readonly StringBuilder _text = new();

    public List<int> TokenIds { get; } = [];
    public List<TokenChoice> Logprobs { get; } = [];
    public GenerationFinished? Finish { get; private set; }
    public string Text => _text.ToString();

    public void Add(ChoiceEvent e)
    {
        if (e.Tokens is { } tokens)
        {
            _text.Append(tokens.Text);
            TokenIds.AddRange(tokens.TokenIds);
            if (tokens.Logprobs is { } logprobs) Logprobs.AddRange(logprobs);
        }
        if (e.Finish is { } finish) Finish = finish;
    }

    /// <summary>All choices of <paramref name="choices"/>, run to their ends.</summary>
    public static async Task<ChoiceResult[]> GatherAsync(ChoiceSet choices, CancellationToken cancellationToken)
    {
        var results = Enumerable.Range(0, choices.Count).Select(_ => new ChoiceResult()).ToArray();
        await foreach (var e in choices.EventsAsync(cancellationToken)) results[e.Index].Add(e);
        return results;
    }
}
