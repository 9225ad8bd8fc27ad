using Peft.Tools.DemoModel.Common;

namespace Peft.Tools.DemoModel.Corpus;

/// <summary>
/// Who and what one story is about, fixed for the whole story: a story that starts with Mia and her red kite ends with
/// Mia and her kite, and says "she" all along. That consistency is the long-range pattern a small model can learn.
/// </summary>
internal sealed record StoryCast(
    Character Hero,
    Character Friend,
    string Grownup,
    Noun Thing,
    Noun Pet,
    Noun Snack,
    Noun Ride,
    Place Place,
    int N)
{
    /// <summary>Smallest story number: at least 4 so that "{n.minus2}" is still a plural.</summary>
    public const int MinN = 4;

    public const int MaxN = 10;

    public static StoryCast Draw(SeededRandom random)
    {
        var hero = DrawCharacter(random);
        Character friend;
        do friend = DrawCharacter(random); while (friend.Name == hero.Name);
        return new StoryCast(
            hero,
            friend,
            random.Pick(Lexicon.Grownups),
            random.Pick(Lexicon.Toys),
            random.Pick(Lexicon.Pets),
            random.Pick(Lexicon.Foods),
            random.Pick(Lexicon.Vehicles),
            random.Pick(Lexicon.StoryPlaces),
            random.NextInclusive(MinN, MaxN));
    }

    public static Character DrawCharacter(SeededRandom random)
    {
        bool boy = random.Chance(0.5);
        string name = random.Pick(boy ? Lexicon.BoyNames : Lexicon.GirlNames);
        return new Character(name, boy ? Gender.Boy : Gender.Girl, random.NextInclusive(Lexicon.YoungestAge, Lexicon.OldestAge));
    }
}
