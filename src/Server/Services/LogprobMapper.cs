using Google.Protobuf.Collections;
using Peft.Protos.V1;
using Peft.Runtime.Engine.Output;
using Peft.Runtime.Engine.Sampling;

namespace Peft.Server.Services;

/// <summary>The engine's <see cref="TokenChoice"/>s as <see cref="TokenLogprob"/>s, with each token's own text.</summary>
internal static class LogprobMapper
{
    public static void AddTo(RepeatedField<TokenLogprob> target, IReadOnlyList<TokenChoice>? choices, ITextDecoder decoder)
    {
        if (choices is null) return;
        foreach (var choice in choices)
        {
            var entry = new TokenLogprob { TokenId = choice.TokenId, Text = decoder.TokenText(choice.TokenId), Logprob = choice.Logprob };
            if (choice.Top is { } top)
                foreach (var (id, logprob) in top)
                    entry.Top.Add(new TopLogprob { TokenId = id, Text = decoder.TokenText(id), Logprob = logprob });
            target.Add(entry);
        }
    }
}
