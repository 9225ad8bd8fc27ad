namespace Peft.Tools.DemoModel.Corpus;

/// <summary>Ready-made phrases: how stories start a scene, what children play, what they learn.</summary>
internal static partial class Lexicon
{
    public static readonly string[] TimesOfDay =
        ["One day", "One morning", "One sunny day", "After breakfast", "On Saturday", "Later that day", "In the afternoon", "One cold morning"];

    /// <summary>Past-tense phrases that follow a plural subject ("Tom and Mia played tag").</summary>
    public static readonly string[] Games =
    [
        "played tag", "played hide and seek", "ran and jumped", "sang songs", "danced in a circle", "drew pictures",
        "told funny stories", "looked for bugs", "built a tower of sticks", "played ball", "raced to the big tree",
    ];

    public static readonly string[] Weather =
    [
        "The sun was bright and the sky was blue.", "It was a cold and windy day.", "The sky was gray and it began to rain.",
        "Snow fell softly on the ground.", "It was a warm day in the spring.", "The wind blew the leaves around.",
    ];

    /// <summary>Each completes "{hero} learned that ...".</summary>
    public static readonly string[] Lessons =
    [
        "sharing makes everyone happy", "it is good to help your friends", "being kind is the best thing",
        "you should always say thank you", "it is okay to ask for help", "friends make every day better",
        "it's fun to try new things", "a good friend listens",
    ];

    public static readonly string[] Greetings = ["Hello", "Hi", "Good morning", "Hey"];
}
