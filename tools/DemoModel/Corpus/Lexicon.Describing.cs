namespace Peft.Tools.DemoModel.Corpus;

/// <summary>Adjectives, by what they describe.</summary>
internal static partial class Lexicon
{
    public static readonly string[] Colors = ["red", "blue", "green", "yellow", "pink", "purple", "brown", "white", "black", "orange", "gray"];

    public static readonly string[] Sizes = ["big", "little", "small", "tiny", "huge", "tall"];

    /// <summary>How a thing looks or feels; fits any kind of thing.</summary>
    public static readonly string[] Qualities = ["shiny", "soft", "old", "new", "round", "pretty", "funny", "fluffy", "bright", "warm", "clean", "muddy"];

    /// <summary>What kind of child someone is.</summary>
    public static readonly string[] Traits = ["kind", "brave", "curious", "shy", "funny", "clever", "gentle", "friendly", "busy", "happy", "quiet"];

    public static readonly string[] GoodFeelings = ["happy", "glad", "excited", "proud", "calm", "cheerful"];

    public static readonly string[] BadFeelings = ["sad", "scared", "angry", "upset", "worried", "lonely"];

    public static readonly string[] Tastes = ["sweet", "warm", "yummy", "fresh", "soft", "crunchy"];
}
