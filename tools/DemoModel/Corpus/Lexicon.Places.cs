namespace Peft.Tools.DemoModel.Corpus;

/// <summary>Where things happen. No place is also a thing of the lexicon, so place phrases never change a sentence's kind.</summary>
internal static partial class Lexicon
{
    public static readonly Place[] Places =
    [
        Outdoors("park"), Outdoors("garden"), Outdoors("forest"), new("beach", "at the beach", "to the beach"),
        new("school", "at school", "to school"), new("kitchen", "in the kitchen", "into the kitchen"), new("farm", "on the farm", "to the farm"),
        new("river", "by the river", "to the river"), new("hill", "on the hill", "up the hill"), new("market", "at the market", "to the market"),
        new("library", "at the library", "to the library"), new("zoo", "at the zoo", "to the zoo"), new("pond", "by the pond", "to the pond"),
        Outdoors("yard"), new("lake", "by the lake", "to the lake"), new("village", "in the village", "to the village"),
        new("playground", "at the playground", "to the playground"), new("bedroom", "in the bedroom", "into the bedroom"),
        new("barn", "in the barn", "to the barn"), Outdoors("meadow"),
    ];

    /// <summary>Where a story can take its hero with a grown-up and meet other children: not the kitchen or the bedroom.</summary>
    public static readonly Place[] StoryPlaces = [.. Places.Where(p => p.Name is not ("kitchen" or "bedroom" or "barn"))];

    /// <summary>Where a lost thing turns up. Whole phrases, because each wants its own preposition.</summary>
    public static readonly string[] HidingSpots =
    [
        "under the bed", "behind the door", "in a big box", "under the table", "behind the sofa", "in the basket",
        "under a pile of leaves", "next to a big rock", "in the tall grass", "under the blanket", "behind the curtain",
        "on the top shelf", "inside a muddy boot",
    ];

    private static Place Outdoors(string name) => new(name, $"in the {name}", $"to the {name}");
}
