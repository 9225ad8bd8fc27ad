namespace Peft.Tools.DemoModel.Corpus;

internal enum Gender
{
    Boy,
    Girl,
}

/// <summary>A named child. The story keeps one per role, so its name and pronouns stay the same from start to end.</summary>
internal sealed record Character(string Name, Gender Gender, int Age)
{
    /// <summary>Slot forms: <c>{hero}</c>, <c>{hero.he}</c>, <c>{hero.him}</c>, <c>{hero.his}</c>, <c>{hero.child}</c>, <c>{hero.age}</c>.</summary>
    public string Form(string form) => form switch
    {
        "" => Name,
        "he" => Gender == Gender.Boy ? "he" : "she",
        "him" => Gender == Gender.Boy ? "him" : "her",
        "his" => Gender == Gender.Boy ? "his" : "her",
        "child" => Gender == Gender.Boy ? "boy" : "girl",
        "age" => Age.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => throw new InvalidOperationException($"Unknown character form '.{form}'."),
    };
}
