namespace Peft.Tools.DemoModel.Corpus;

/// <summary>
/// What sort of thing a noun names. Every countable noun in the lexicon has exactly one kind, which is what makes the
/// demo task ("what kind of thing is in this sentence?") a function of the sentence.
/// </summary>
internal enum ThingKind
{
    Animal,
    Food,
    Toy,
    Clothing,
    Vehicle,
    Plant,
}

internal static class ThingKindText
{
    /// <summary>The one-word label: the demo task's answer and the word the corpus uses in its fact sentences.</summary>
    public static string Label(this ThingKind kind) => kind switch
    {
        ThingKind.Animal => "animal",
        ThingKind.Food => "food",
        ThingKind.Toy => "toy",
        ThingKind.Clothing => "clothing",
        ThingKind.Vehicle => "vehicle",
        ThingKind.Plant => "plant",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The label as a predicate: "an animal", "a toy", but "food" and "clothing", which English does not count.</summary>
    public static string AsPredicate(this ThingKind kind) =>
        kind is ThingKind.Food or ThingKind.Clothing ? kind.Label() : English.WithArticle(kind.Label());
}
