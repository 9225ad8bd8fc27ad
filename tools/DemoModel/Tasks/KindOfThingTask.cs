using Peft.Tools.DemoModel.Common;
using Peft.Tools.DemoModel.Corpus;

namespace Peft.Tools.DemoModel.Tasks;

/// <summary>
/// The demo fine-tuning task: name the kind of the one thing in a sentence.
/// <code>
/// prompt:     "Kind: Mia found a small frog by the pond. =>"
/// completion: " animal"
/// </code>
/// Six labels (<see cref="ThingKind"/>), each one token of the demo tokenizer. The base model never saw "Kind: ... =>",
/// so it continues with story text; a LoRA only has to learn the format and route the thing's word to its label,
/// and the pretrained embeddings already group words by kind (the corpus says "A frog is an animal."). Held-out
/// prompts are new sentences, but every thing in them also occurs in training: the test is reading the sentence,
/// not guessing unseen words.
/// </summary>
internal static class KindOfThingTask
{
    public const string PromptPrefix = "Kind: ";
    public const string PromptSuffix = " =>";

    public const int DefaultTrainCount = 1500;
    public const int DefaultHeldoutCount = 150;

    /// <summary>Enough training examples for every thing to appear at least once (kinds take turns; animals are the longest list).</summary>
    public static int MinTrainCount { get; } = Enum.GetValues<ThingKind>().Max(k => Lexicon.ThingsOf(k).Count) * Enum.GetValues<ThingKind>().Length;

    /// <summary>Each frame mentions exactly one thing, <c>{thing}</c>; names, places and adjectives are never things.</summary>
    private static readonly Template[] Frames =
    [
        .. new[]
        {
            "{Name} found {thing.a} {place.in}.",
            "{Name} saw {adj.a} {thing} {place.in}.",
            "{Place.in}, {name} saw {n} {thing.s}.",
            "{Name} had {n} {adj} {thing.s}.",
            "{Name} drew {thing.a} for {name2}.",
            "{Name} wanted {adj.a} {thing}.",
            "{Name} lost {name.his} {thing} {place.in}.",
            "There was {adj.a} {thing} {place.in}.",
            "{Name} and {name2} looked at the {thing}.",
            "{Name} told {name2} about the {adj} {thing}.",
            "\"Look at the {thing}!\" said {name}.",
            "{Name} liked the {adj} {thing.s} {place.in}.",
        }.Select(Template.Parse),
    ];

    public static TaskExample Example(Noun thing, SeededRandom random)
    {
        string sentence = random.Pick(Frames).Expand(new TaskScope(thing, random));
        return new TaskExample(PromptPrefix + sentence + PromptSuffix, " " + thing.Kind.Label());
    }

    /// <summary>
    /// Deterministic splits. Kinds take turns, so labels are balanced; within a kind, things are dealt from a shuffled
    /// deck, so every thing appears in training before any repeats. Held-out examples whose prompt is in training
    /// (or already held out) are drawn again. Each split is shuffled at the end, so file order shows no label cycle.
    /// </summary>
    public static TaskSplits Generate(ulong seed, int trainCount = DefaultTrainCount, int heldoutCount = DefaultHeldoutCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trainCount, MinTrainCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(heldoutCount);
        var random = new SeededRandom(seed);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var train = Draw(random.Fork(), trainCount, seen);
        var heldout = Draw(random.Fork(), heldoutCount, seen);
        return new TaskSplits(train, heldout);
    }

    private static List<TaskExample> Draw(SeededRandom random, int count, HashSet<string> seen)
    {
        var kinds = Enum.GetValues<ThingKind>();
        var decks = kinds.ToDictionary(k => k, k => new Deck<Noun>(Lexicon.ThingsOf(k), random));
        var examples = new List<TaskExample>(count);
        for (int i = 0; examples.Count < count; i++)
        {
            var kind = kinds[i % kinds.Length];
            var example = Example(decks[kind].Next(), random);
            if (seen.Add(example.Prompt)) examples.Add(example);
        }
        random.Shuffle(examples);
        return examples;
    }
}
