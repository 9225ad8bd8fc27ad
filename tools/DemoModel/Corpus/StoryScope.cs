using System.Globalization;
using Peft.Tools.DemoModel.Common;

namespace Peft.Tools.DemoModel.Corpus;

/// <summary>
/// The slot values of one story. Story roles (<c>hero</c>, <c>friend</c>, <c>grownup</c>, <c>thing</c>, <c>pet</c>,
/// <c>snack</c>, <c>ride</c>, <c>place</c>, <c>n</c>) are the same on every use; word lists (<c>name</c>, <c>animal</c>,
/// <c>color</c>, ...) give a fresh word on every use.
/// </summary>
internal sealed class StoryScope(StoryCast cast, SeededRandom random) : ISlotScope
{
    public SeededRandom Random { get; } = random;

    public StoryCast Cast { get; } = cast;

    public string Resolve(string name, string form) => name switch
    {
        "hero" => Cast.Hero.Form(form),
        "friend" => Cast.Friend.Form(form),
        "grownup" => Plain(Cast.Grownup, name, form),
        "thing" => Cast.Thing.Form(form),
        "pet" => Cast.Pet.Form(form),
        "snack" => Cast.Snack.Form(form),
        "ride" => Cast.Ride.Form(form),
        "place" => Cast.Place.Form(form),
        "n" => Number(Cast.N, form),

        "name" => Plain(StoryCast.DrawCharacter(Random).Name, name, form),
        "number" => Number(Random.NextInclusive(2, English.MaxNumberWord), form),
        "age" => Plain(Random.NextInclusive(Lexicon.YoungestAge, Lexicon.OldestAge).ToString(CultureInfo.InvariantCulture), name, form),
        "animal" => Random.Pick(Lexicon.Animals).Form(form),
        "food" => Random.Pick(Lexicon.Foods).Form(form),
        "toy" => Random.Pick(Lexicon.Toys).Form(form),
        "clothing" => Random.Pick(Lexicon.Clothing).Form(form),
        "vehicle" => Random.Pick(Lexicon.Vehicles).Form(form),
        "plant" => Random.Pick(Lexicon.Plants).Form(form),
        "anyplace" => Random.Pick(Lexicon.Places).Form(form),
        "spot" => Pick(Lexicon.HidingSpots, name, form),
        "color" => Pick(Lexicon.Colors, name, form),
        "size" => Pick(Lexicon.Sizes, name, form),
        "quality" => Pick(Lexicon.Qualities, name, form),
        "trait" => Pick(Lexicon.Traits, name, form),
        "happy" => Pick(Lexicon.GoodFeelings, name, form),
        "sad" => Pick(Lexicon.BadFeelings, name, form),
        "taste" => Pick(Lexicon.Tastes, name, form),
        "time" => Pick(Lexicon.TimesOfDay, name, form),
        "game" => Pick(Lexicon.Games, name, form),
        "weather" => Pick(Lexicon.Weather, name, form),
        "lesson" => Pick(Lexicon.Lessons, name, form),
        "greeting" => Pick(Lexicon.Greetings, name, form),
        "fact" => Fact(Random.Pick(Lexicon.AllThings)),
        _ => throw new InvalidOperationException($"Unknown slot '{{{name}}}'."),
    };

    /// <summary>"A frog is an animal." The corpus states each kind so the labels are ordinary words to the model.</summary>
    private static string Fact(Noun noun) => $"{English.Capitalize(English.WithArticle(noun.Singular))} is {noun.Kind.AsPredicate()}.";

    /// <summary>Slot forms: <c>{n}</c> ("seven"), <c>{n.digits}</c> ("7"), <c>{n.aloud}</c> ("one, two, ... seven"), <c>{n.minus2}</c>.</summary>
    private static string Number(int n, string form) => form switch
    {
        "" => English.NumberWord(n),
        "digits" => n.ToString(CultureInfo.InvariantCulture),
        "aloud" => English.CountAloud(n),
        "minus2" => English.NumberWord(n - 2),
        _ => throw new InvalidOperationException($"Unknown number form '.{form}'."),
    };

    private string Pick(string[] words, string name, string form) => Plain(Random.Pick(words), name, form);

    private static string Plain(string word, string name, string form) =>
        form.Length == 0 ? word : throw new InvalidOperationException($"Slot '{{{name}}}' has no form '.{form}'.");
}
