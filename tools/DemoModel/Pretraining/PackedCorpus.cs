using Peft.Tools.DemoModel.Tokenizer;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Tools.DemoModel.Pretraining;

/// <summary>
/// The corpus as one token stream, cut into training windows. Documents (separated by a blank line) are encoded as
/// <c>BOS document EOS</c> and concatenated; window w is the <see cref="Context"/> + 1 tokens starting at
/// w·<see cref="Context"/>, whose first <see cref="Context"/> are the inputs and last <see cref="Context"/> the targets.
/// Packing wastes no compute on padding; a window may start mid-document and span several, as in GPT-style
/// pretraining, and the BOS/EOS markers teach the model where documents begin and end.
/// </summary>
internal sealed class PackedCorpus
{
    private readonly int[] _tokens;

    private PackedCorpus(int[] tokens, int documents, int context)
    {
        _tokens = tokens;
        DocumentCount = documents;
        Context = context;
    }

    public int Context { get; }

    public int DocumentCount { get; }

    public long TokenCount => _tokens.Length;

    public int WindowCount => (_tokens.Length - 1) / Context;

    public static PackedCorpus Tokenize(string text, BpeModel tokenizer, int context)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(context);
        var tokens = new List<int>(text.Length / 3);
        int documents = 0;
        foreach (string document in Documents(text))
        {
            tokens.AddRange(tokenizer.Encode(document, addBos: true));
            tokens.Add(tokenizer.EosId);
            documents++;
        }
        var corpus = new PackedCorpus([.. tokens], documents, context);
        if (corpus.WindowCount < 2)
            throw new ArgumentException($"the corpus has {tokens.Count} tokens, too few for two windows of {context} + 1; use a larger corpus or a smaller --context.");
        return corpus;
    }

    /// <summary>Documents are separated by one blank line and contain none (docs/demo-model.md).</summary>
    public static IEnumerable<string> Documents(string text) =>
        text.ReplaceLineEndings("\n").Split("\n\n").Select(d => d.Trim('\n')).Where(d => d.Length > 0);

    /// <summary>Inputs and targets of <paramref name="windows"/>, each [windows·Context] int64, rows in window order.</summary>
    public (Tensor Inputs, Tensor Targets) Batch(IReadOnlyList<int> windows)
    {
        int length = Context;
        var inputs = new long[windows.Count * length];
        var targets = new long[windows.Count * length];
        for (int b = 0; b < windows.Count; b++)
        {
            int start = windows[b] * length;
            for (int i = 0; i < length; i++)
            {
                inputs[b * length + i] = _tokens[start + i];
                targets[b * length + i] = _tokens[start + i + 1];
            }
        }
        return (tensor(inputs), tensor(targets));
    }
}
