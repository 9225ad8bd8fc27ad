using static Peft.Tools.DemoModel.Corpus.Beat;

namespace Peft.Tools.DemoModel.Corpus;

/// <summary>
/// The story grammar, as data: beats that several plots share (how stories begin and end). Separate static classes,
/// not partial files of one, because the CLR orders static initialisers across types on first use but C# leaves their
/// order across partial files unspecified.
/// </summary>
internal static class CommonBeats
{
    public static readonly Beat Opening = Say(
        "Once upon a time, there was {trait.a} {hero.child} named {hero}.",
        "There was once {size.a} {hero.child} called {hero}. {Hero.he} was {hero.age} years old.",
        "{Hero} was {trait.a} {hero.child}. {Hero.he} lived in a [small|little|big|yellow|blue|white] house [near the [park|river|forest|hill|lake|farm|school|beach]|with {hero.his} {grownup}|at the end of a quiet street].",
        "{Hero} was {hero.age} years old. {Hero.he} [liked to play outside|loved animals|liked to sing|had a big smile|loved stories].");

    public static readonly Beat EndingWithFriend = Line(
        "From that day on, {hero} and {friend} were best friends.",
        "That night, {hero} went to bed with a big smile. {Hero.he} was glad to have a friend like {friend}.",
        "{Hero} and {friend} went home together. It was the best day ever.",
        "{Hero} was tired but {happy}. The end.");

    public static readonly Beat EndingAlone = Line(
        "That night, {hero} went to bed with a big smile.",
        "{Hero} was tired but {happy}. The end.",
        "It was the best day ever, and {hero} never forgot it.",
        "Then {hero} went home for dinner. The end.");

    public static readonly Beat Lesson = Line("{Hero} learned that {lesson}.");
}
