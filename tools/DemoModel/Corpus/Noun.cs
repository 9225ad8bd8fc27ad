namespace Peft.Tools.DemoModel.Corpus;

/// <summary>A countable thing. <see cref="Sound"/> is what an animal says, for the animals that say something.</summary>
internal sealed record Noun(string Singular, string Plural, ThingKind Kind, string? Sound = null)
{
    /// <summary>Slot forms: <c>{pet}</c>, <c>{pet.s}</c> (plural), <c>{pet.sound}</c>, <c>{pet.kind}</c> ("animal").</summary>
    public string Form(string form) => form switch
    {
        "" => Singular,
        "s" => Plural,
        "sound" => Sound ?? throw new InvalidOperationException($"'{Singular}' has no sound; bind a sounding animal to this slot."),
        "kind" => Kind.Label(),
        _ => throw new InvalidOperationException($"Unknown noun form '.{form}'."),
    };
}
