using Peft.Tools.DemoModel.Common;
using Peft.Tools.DemoModel.Corpus;

namespace Peft.Tools.DemoModel.Tasks;

/// <summary>
/// Slot values for one task sentence: exactly one thing (<c>{thing}</c>), whose kind is the answer; everything else
/// (names, a place, a number, an adjective) is a distractor drawn from words that are not things.
/// </summary>
internal sealed class TaskScope(Noun thing, SeededRandom random) : ISlotScope
{
    private readonly Character _name = StoryCast.DrawCharacter(random);
    private readonly Place _place = random.Pick(Lexicon.Places);
    private readonly int _n = random.NextInclusive(2, 10);
    private Character? _name2;

    public SeededRandom Random { get; } = random;

    public string Resolve(string name, string form) => name switch
    {
        "thing" => thing.Form(form),
        "name" => _name.Form(form),
        "name2" => SecondName().Form(form),
        "place" => _place.Form(form),
        "n" => form.Length == 0 ? English.NumberWord(_n) : throw new InvalidOperationException($"Unknown form '.{form}' of {{n}}."),
        "adj" => form.Length == 0 ? Random.Pick(Adjectives) : throw new InvalidOperationException($"Unknown form '.{form}' of {{adj}}."),
        _ => throw new InvalidOperationException($"Unknown task slot '{{{name}}}'."),
    };

    private static readonly string[] Adjectives = [.. Lexicon.Colors, .. Lexicon.Sizes, .. Lexicon.Qualities];

    private Character SecondName()
    {
        while (_name2 is null || _name2.Name == _name.Name) _name2 = StoryCast.DrawCharacter(Random);
        return _name2;
    }
}
