namespace Peft.Tools.DemoModel.Corpus;

/// <summary>A place, with the prepositions English picks for it ("in the park", "at the beach", "at school").</summary>
internal sealed record Place(string Name, string In, string To)
{
    /// <summary>Slot forms: <c>{place}</c> ("park"), <c>{place.in}</c> ("in the park"), <c>{place.to}</c> ("to the park").</summary>
    public string Form(string form) => form switch
    {
        "" => Name,
        "in" => In,
        "to" => To,
        _ => throw new InvalidOperationException($"Unknown place form '.{form}'."),
    };
}
