using Peft.Runtime.Engine.Sampling;

namespace Peft.Runtime.Engine.Output;

/// <summary>
/// Decides, token by token, what text a request sees and when it stops. Stop strings are found across token
/// boundaries: text that could still turn out to be the start of a stop string is held back until it cannot.
/// The matched stop string is not returned; the tokens that produced it are.
/// </summary>
internal sealed class OutputProcessor
{
    private readonly SamplingParams _params;
    private readonly IReadOnlySet<int> _eos;
    private readonly IIncrementalDecoder _decoder;
    private readonly int _maxNewTokens;
    private readonly int _maxStream;
    private readonly int _longestStop;
    private string _held = "";

    public OutputProcessor(SamplingParams parameters, IReadOnlySet<int> eosTokenIds, IIncrementalDecoder decoder, int maxNewTokens, int maxStreamLength)
    {
        _params = parameters;
        _eos = eosTokenIds;
        _decoder = decoder;
        _maxNewTokens = maxNewTokens;
        _maxStream = maxStreamLength;
        _longestStop = parameters.StopStrings.Count == 0 ? 0 : parameters.StopStrings.Max(s => s.Length);
    }

    /// <summary>Takes the newly generated token.</summary>
    /// <param name="generated">Output tokens so far, this one included.</param>
    /// <param name="streamLength">Entries in the sequence's stream, this one included.</param>
    public (string Text, FinishReason? Finish) Accept(int token, int generated, int streamLength)
    {
        string text = _held + _decoder.Push(token);
        _held = "";

        if (_params.StopStrings.Count > 0 && FindStop(text) is { } at)
            return (text[..at], FinishReason.StopString);

        FinishReason? finish = null;
        if (_params.StopTokenIds.Contains(token)) finish = FinishReason.StopToken;
        else if (!_params.IgnoreEos && _eos.Contains(token)) finish = FinishReason.Eos;
        else if (generated >= _maxNewTokens || streamLength >= _maxStream) finish = FinishReason.Length;

        if (finish is not null)
        {
            string rest = text + _decoder.Flush();
            return _params.StopStrings.Count > 0 && FindStop(rest) is { } end ? (rest[..end], FinishReason.StopString) : (rest, finish);
        }
        int keep = HoldBack(text);
        _held = text[^keep..];
        return (text[..^keep], null);
    }

    private int? FindStop(string text)
    {
        int best = -1;
        foreach (var stop in _params.StopStrings)
        {
            int at = text.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (best < 0 || at < best)) best = at;
        }
        return best < 0 ? null : best;
    }

    /// <summary>Length of the longest suffix of <paramref name="text"/> that is a proper prefix of a stop string.</summary>
    private int HoldBack(string text)
    {
        for (int length = Math.Min(_longestStop - 1, text.Length); length > 0; length--)
        {
            var suffix = text.AsSpan(text.Length - length);
            foreach (var stop in _params.StopStrings)
                if (stop.Length > length && stop.AsSpan().StartsWith(suffix, StringComparison.Ordinal)) return length;
        }
        return 0;
    }
}
