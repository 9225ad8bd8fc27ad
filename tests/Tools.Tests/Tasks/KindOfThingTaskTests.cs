using System.Text.RegularExpressions;
using Peft.Tools.DemoModel.Corpus;
using Peft.Tools.DemoModel.Tasks;

namespace Peft.Tools.Tests.Tasks;

public partial class KindOfThingTaskTests
{
    private static readonly TaskSplits Splits = KindOfThingTask.Generate(seed: 1);

    private static readonly Dictionary<string, Noun> ThingByWord = Lexicon.AllThings
        .SelectMany(t => new[] { (t.Singular, t), (t.Plural, t) }).DistinctBy(p => p.Item1).ToDictionary(p => p.Item1, p => p.t);

    private static List<Noun> ThingsIn(string prompt) =>
        [.. Words().Matches(prompt).Select(m => m.Value.ToLowerInvariant()).Where(ThingByWord.ContainsKey).Select(w => ThingByWord[w])];

    [Fact]
    public void Splits_have_the_default_sizes_and_are_deterministic_by_seed()
    {
        Assert.Equal(KindOfThingTask.DefaultTrainCount, Splits.Train.Count);
        Assert.Equal(KindOfThingTask.DefaultHeldoutCount, Splits.Heldout.Count);
        var again = KindOfThingTask.Generate(seed: 1);
        Assert.Equal(Splits.Train, again.Train);
        Assert.Equal(Splits.Heldout, again.Heldout);
        Assert.NotEqual(Splits.Train, KindOfThingTask.Generate(seed: 2).Train);
    }

    [Fact]
    public void No_prompt_is_in_both_splits_or_twice_in_one()
    {
        var train = Splits.Train.Select(e => e.Prompt).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(Splits.Train.Count, train.Count);
        Assert.Equal(Splits.Heldout.Count, Splits.Heldout.Select(e => e.Prompt).Distinct(StringComparer.Ordinal).Count());
        Assert.DoesNotContain(Splits.Heldout, e => train.Contains(e.Prompt));
    }

    [Fact]
    public void Every_prompt_names_exactly_one_thing_and_the_completion_is_its_kind()
    {
        foreach (var example in Splits.Train.Concat(Splits.Heldout))
        {
            Assert.StartsWith(KindOfThingTask.PromptPrefix, example.Prompt, StringComparison.Ordinal);
            Assert.EndsWith(KindOfThingTask.PromptSuffix, example.Prompt, StringComparison.Ordinal);
            var thing = Assert.Single(ThingsIn(example.Prompt));
            Assert.Equal(" " + thing.Kind.Label(), example.Completion);
        }
    }

    [Fact]
    public void Completions_are_one_short_label_word()
    {
        var labels = Enum.GetValues<ThingKind>().Select(k => " " + k.Label()).ToHashSet();
        Assert.All(Splits.Train.Concat(Splits.Heldout), e => Assert.Contains(e.Completion, labels));
    }

    [Fact]
    public void Every_thing_is_in_training_and_every_held_out_thing_was_trained_on()
    {
        var trained = Splits.Train.SelectMany(e => ThingsIn(e.Prompt)).GroupBy(t => t.Singular).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(Lexicon.AllThings.Length, trained.Count);
        Assert.True(trained.Values.Min() >= 8, $"rarest thing appears {trained.Values.Min()} times");
        Assert.All(Splits.Heldout.SelectMany(e => ThingsIn(e.Prompt)), t => Assert.True(trained.ContainsKey(t.Singular)));
    }

    [Fact]
    public void Labels_are_balanced()
    {
        foreach (var split in new[] { Splits.Train, Splits.Heldout })
        {
            var counts = split.GroupBy(e => e.Completion).Select(g => g.Count()).ToList();
            Assert.Equal(6, counts.Count);
            Assert.True(counts.Max() - counts.Min() <= split.Count / 30 + 1, string.Join(", ", counts));
        }
    }

    [Fact]
    public void Constant_answers_score_at_most_a_sixth()
    {
        // The floor a model gets by always saying the same label; the base model, which never saw the format, is
        // expected far below it.
        foreach (var kind in Enum.GetValues<ThingKind>())
        {
            var score = ExactMatch.Score(Splits.Heldout, [.. Splits.Heldout.Select(_ => " " + kind.Label())]);
            Assert.InRange(score.Accuracy, 0.1, 0.2);
        }
    }

    [GeneratedRegex(@"[A-Za-z]+")]
    private static partial Regex Words();
}
