using Peft.Tools.DemoModel.Corpus;

namespace Peft.Tools.DemoModel.Generation;

/// <summary>
/// Does the model know what kind of thing each thing is? For every thing of the lexicon, the greedy continuation of
/// "A frog is" must be " an animal." — the corpus' own fact sentence. This is the knowledge the demo task's adapter
/// reads out in a new format; a base model that lacks it leaves the adapter to memorise a lookup instead.
/// </summary>
internal sealed class KnowledgeProbe(GreedyDecoder decoder)
{
    private const int MaxNewTokens = 4;

    public (int Correct, int Total, IReadOnlyList<string> Misses) Run()
    {
        var misses = new List<string>();
        foreach (var thing in Lexicon.AllThings)
        {
            string prompt = $"{English.Capitalize(English.WithArticle(thing.Singular))} is";
            string expected = $" {thing.Kind.AsPredicate()}.";
            string answer = decoder.ContinueText(prompt, MaxNewTokens);
            if (!answer.StartsWith(expected, StringComparison.Ordinal)) misses.Add($"{prompt}{answer.Split('\n')[0]}");
        }
        return (Lexicon.AllThings.Length - misses.Count, Lexicon.AllThings.Length, misses);
    }
}
