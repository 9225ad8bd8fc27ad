using Peft.Runtime.Models;
using Peft.Tools.DemoModel.Corpus;
using Peft.Tools.DemoModel.Generation;
using Peft.Tools.DemoModel.Pretraining;
using Peft.Tools.DemoModel.Tokenizer;

namespace Peft.Tools.DemoModel.Quantization;

/// <summary>
/// How much a quantized copy of a model changes what it says (docs/quantization.md): held-out loss of both on the
/// same corpus windows, and greedy continuations of the same prompts compared token by token (position i of one
/// against position i of the other, so a continuation that diverges early loses all later positions).
/// </summary>
internal sealed class QuantizationCheck(CausalLM reference, CausalLM quantized, BpeModel tokenizer)
{
    public QuantizationResult Run(PackedCorpus corpus, int[] heldOutWindows, IReadOnlyList<(string Prompt, int Tokens)> prompts)
    {
        double referenceLoss = WindowLoss.Mean(reference, corpus, heldOutWindows, batch: 4);
        double quantizedLoss = WindowLoss.Mean(quantized, corpus, heldOutWindows, batch: 4);
        var a = new GreedyDecoder(reference, tokenizer);
        var b = new GreedyDecoder(quantized, tokenizer);
        int compared = 0, equal = 0, identical = 0;
        var divergences = new List<string>();
        foreach (var (prompt, tokens) in prompts)
        {
            var x = a.Continue(prompt, tokens);
            var y = b.Continue(prompt, tokens);
            int length = Math.Max(x.Count, y.Count);
            int same = Enumerable.Range(0, Math.Min(x.Count, y.Count)).Count(i => x[i] == y[i]);
            compared += length;
            equal += same;
            if (same == length) identical++;
            else divergences.Add($"{prompt} | {tokenizer.Decode(x)} | {tokenizer.Decode(y)}");
        }
        return new QuantizationResult(referenceLoss, quantizedLoss, compared, equal, prompts.Count, identical, divergences);
    }

    /// <summary>Prompts drawn from the corpus world: the card's story openings (long continuations), every "A frog is"
    /// fact prompt, and the first words of <paramref name="documents"/> generated documents of a seed the model never
    /// trained on.</summary>
    public static List<(string Prompt, int Tokens)> CorpusPrompts(int documents, ulong seed, int storyTokens, int shortTokens)
    {
        var prompts = DemoPretraining.SamplePrompts.Select(p => (p, storyTokens)).ToList();
        prompts.AddRange(Lexicon.AllThings.Select(t => ($"{English.Capitalize(English.WithArticle(t.Singular))} is", shortTokens)));
        var generator = new CorpusGenerator(seed);
        for (int i = 0; i < documents; i++)
        {
            var words = generator.NextDocument().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            prompts.Add((string.Join(' ', words.Take(6)), storyTokens / 2));
        }
        return prompts;
    }
}

/// <param name="Compared">Token positions compared (the longer continuation's length, summed over prompts).</param>
internal sealed record QuantizationResult(double ReferenceLoss, double QuantizedLoss, int Compared, int Equal, int Prompts, int IdenticalPrompts,
    IReadOnlyList<string> Divergences)
{
    public double RelativeLossChange => (QuantizedLoss - ReferenceLoss) / ReferenceLoss;

    public double TokenAgreement => Compared == 0 ? 1 : (double)Equal / Compared;
}
