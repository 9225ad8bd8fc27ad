namespace Peft.Tools.DemoModel.Corpus;

/// <summary>
/// One step of a plot: a choice of sentence templates, said with some probability, one or more times, either in the
/// running paragraph or on a line of its own (dialogue gets its own line, as in a children's book).
/// </summary>
internal sealed record Beat(IReadOnlyList<Template> Variants, bool OnNewLine, double Chance = 1.0, int MinTimes = 1, int MaxTimes = 1)
{
    /// <summary>Continues the current paragraph.</summary>
    public static Beat Say(params string[] variants) => new([.. variants.Select(Template.Parse)], OnNewLine: false);

    /// <summary>Starts a new line.</summary>
    public static Beat Line(params string[] variants) => new([.. variants.Select(Template.Parse)], OnNewLine: true);

    public Beat Sometimes(double chance) => this with { Chance = chance };

    public Beat Times(int min, int max) => this with { MinTimes = min, MaxTimes = max };
}
