using Peft.Runtime.Models;
using Peft.Runtime.Models.Attention;
using Peft.Tools.DemoModel.Tokenizer;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Tools.DemoModel.Generation;

/// <summary>
/// Greedy decoding straight on the model forward, for the tool's samples and scores (the server's engine, with its KV
/// cache and batching, lives elsewhere). Each new token re-runs the whole sequence with dense attention: quadratic,
/// and for a few dozen tokens of a tiny model faster to write than any cache.
/// </summary>
internal sealed class GreedyDecoder(CausalLM model, BpeModel tokenizer)
{
    /// <summary>Token ids that follow <paramref name="prompt"/> (encoded with BOS), up to EOS, a stop, or the limit.</summary>
    /// <param name="stop">Ends generation after the token for which it returns true (the token is kept).</param>
    public List<int> Continue(string prompt, int maxNewTokens, Func<int, bool>? stop = null)
    {
        var ids = tokenizer.Encode(prompt, addBos: true);
        int promptLength = ids.Count;
        int limit = Math.Min(promptLength + maxNewTokens, model.Config.MaxPositionEmbeddings);
        while (ids.Count < limit)
        {
            int next = NextToken(ids);
            if (next == tokenizer.EosId) break;
            ids.Add(next);
            if (stop?.Invoke(next) == true) break;
        }
        return ids[promptLength..];
    }

    /// <summary>The prompt's greedy continuation as text.</summary>
    public string ContinueText(string prompt, int maxNewTokens) => tokenizer.Decode(Continue(prompt, maxNewTokens));

    /// <summary>argmax of the next-token logits after <paramref name="ids"/>.</summary>
    public int NextToken(IReadOnlyList<int> ids)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        int length = ids.Count;
        var batch = new ForwardBatch
        {
            TokenIds = tensor(ids.Select(i => (long)i).ToArray()),
            Positions = Positions(length),
            QueryLengths = [length],
            LogitRows = tensor(new long[] { length - 1 }),
        };
        return (int)model.Forward(batch, new DenseAttention([length])).argmax(-1).item<long>();
    }

    /// <summary>0, 1, ..., length - 1 (arange would make its bounds Scalars inside the call: PEFT001).</summary>
    private static Tensor Positions(int length) => tensor(Enumerable.Range(0, length).Select(i => (long)i).ToArray());
}
