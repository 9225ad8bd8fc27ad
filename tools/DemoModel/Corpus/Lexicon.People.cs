namespace Peft.Tools.DemoModel.Corpus;

/// <summary>
/// The words of the demo corpus, as data, one file per part of speech. People: who the stories are about.
/// A field here may use only fields above it in the same file: C# orders static initialisers within a file, not
/// across the files of a partial class.
/// </summary>
internal static partial class Lexicon
{
    // No name is also a word of the lexicon ("Rose", "Daisy"), so a name never reads as a thing.
    public static readonly string[] BoyNames =
    [
        "Tom", "Sam", "Ben", "Max", "Leo", "Jack", "Finn", "Noah", "Eli", "Owen",
        "Luke", "Adam", "Theo", "Jake", "Ryan", "Dan", "Hugo", "Oscar", "Milo", "Kai",
    ];

    public static readonly string[] GirlNames =
    [
        "Mia", "Lily", "Emma", "Anna", "Lucy", "Zoe", "Ella", "Ruby", "Sara", "Amy",
        "Nora", "Ivy", "Chloe", "Grace", "Maya", "Kate", "Jane", "Luna", "Eva", "Alice",
    ];

    /// <summary>Grown-ups appear as "{hero.his} mom"; templates never use pronouns for them, so no gender is needed.</summary>
    public static readonly string[] Grownups = ["mom", "dad", "grandma", "grandpa", "aunt", "uncle", "teacher"];

    public const int YoungestAge = 3;
    public const int OldestAge = 9;
}
