using static Peft.Tools.DemoModel.Corpus.Beat;
using static Peft.Tools.DemoModel.Corpus.CommonBeats;

namespace Peft.Tools.DemoModel.Corpus;

/// <summary>Stories: a hero, a want or a problem, and an ending. Each keeps its cast from the first line to the last.</summary>
internal static class StoryPlots
{
    public static readonly Plot LostToy = new("lost toy", Weight: 3,
    [
        Opening,
        Say("{Hero} had {color.a} {thing}. {Hero.he} [loved it very much|played with it every day|took it everywhere].",
            "{Hero.his} favorite toy was {quality.a} {thing}."),
        Say("{time}, {hero} took the {thing} {place.to}.", "{time}, {hero} went {place.to} with {hero.his} {thing}."),
        Say("{weather}").Sometimes(0.3),
        Say("{Hero} [played|ran around|jumped] {place.in} for a long time."),
        Say("When {hero.he} looked again, the {thing} was gone!", "Oh no! The {thing} was not there anymore."),
        Say("{Hero} felt very {sad}. {Hero.he} [began to cry|sat down on the grass|did not know what to do]."),
        Line("Just then, {hero.his} friend {friend} came [by|over|to see {hero.him}]."),
        Line("\"What is wrong, {hero}?\" asked {friend}."),
        Line("\"I lost my {thing},\" said {hero}. \"I can't find it anywhere.\"", "\"My {thing} is gone,\" {hero} said [sadly|quietly]."),
        Line("\"Don't worry,\" said {friend}. \"I will help you look for it.\"", "\"Let's look for it together,\" said {friend}."),
        Line("They looked {spot}. They looked {spot}."),
        Say("At last, {friend} found the {thing} {spot}!"),
        Line("\"Here it is!\" said {friend}.").Sometimes(0.5),
        Line("{Hero} [smiled|laughed|jumped up and down]. \"Thank you, {friend}! You are a good friend.\""),
        EndingWithFriend,
    ]);

    public static readonly Plot NewFriend = new("new friend", Weight: 3,
    [
        Opening,
        Say("{time}, {hero} went {place.to} with {hero.his} {grownup}."),
        Say("{weather}").Sometimes(0.3),
        Say("There {hero.he} saw a {friend.child} [sitting alone|playing with {toy.a}|looking at the sky|feeding the ducks]."),
        Line("\"{greeting}! I'm {hero},\" said {hero}. \"What is your name?\""),
        Line("\"My name is {friend},\" said the {friend.child}. \"I am {friend.age} years old.\""),
        Line("\"Do you want to play with me?\" asked {hero}.", "\"Would you like to play?\" asked {hero}."),
        Line("\"Yes, please!\" said {friend}.", "\"Okay!\" said {friend} with a smile."),
        Line("{Hero} and {friend} {game}. Then they {game}."),
        Say("They had so much fun. {Friend.he} [laughed and laughed|was very {happy}|said it was the best day ever]."),
        Line("When it was time to go home, {hero} waved. \"Bye, {friend}! See you tomorrow!\""),
        Lesson.Sometimes(0.5),
        EndingWithFriend,
    ]);

    public static readonly Plot RunawayPet = new("runaway pet", Weight: 3,
    [
        Opening,
        Say("{Hero} had a pet {pet}. The {pet} was {size} and {color}.", "{Hero} had {size.a} {pet} named {name}."),
        Say("Every morning, {hero} gave the {pet} some food and water.",
            "The {pet} liked to sleep [on the bed|in a little box|by the window]."),
        Say("The {pet} always said \"{Pet.sound}!\" when {hero} came home."),
        Say("{time}, the {pet} ran away {place.to}.", "{time}, the door was open and the {pet} ran outside."),
        Say("{Hero} was very {sad}. {Hero.he} ran after it."),
        Line("\"Come back, little {pet}!\" {hero} called."),
        Line("{Hero} looked {spot}, but the {pet} was not there.").Sometimes(0.5),
        Line("Then {hero.he} heard a sound. \"{Pet.sound}! {Pet.sound}!\""),
        Say("The {pet} was {spot}!"),
        Say("{Hero} picked up the {pet} and gave it a big hug."),
        Line("\"I missed you,\" said {hero}. The {pet} said \"{Pet.sound}!\" and {hero} laughed."),
        Say("The {pet} never ran away again.", "The {pet} was safe at home again.").Sometimes(0.6),
        EndingAlone,
    ]);

    public static readonly Plot SharingSnacks = new("sharing snacks", Weight: 2,
    [
        Opening,
        Say("{time}, {hero.his} {grownup} came home with a bag of {snack.s}."),
        Say("{Hero} counted them: {n.aloud}. There were {n} {snack.s}!", "There were {n.digits} {snack.s} in the bag."),
        Line("\"Can I have one?\" asked {hero}."),
        Line("\"Yes, you can,\" said {hero.his} {grownup}. \"And you can give one to your friend {friend}.\""),
        Line("{Hero} ate one {snack} and gave one to {friend}. Now there were {n.minus2} {snack.s} left."),
        Say("The {snack} was {taste}, and {hero} felt {happy}."),
        Lesson.Sometimes(0.7),
        EndingAlone,
    ]);

    public static readonly Plot Trip = new("trip", Weight: 2,
    [
        Opening,
        Say("{time}, {hero} and {hero.his} {grownup} went {place.to} by {ride}."),
        Say("The {ride} was {color} and [very fast|very slow|very old|full of people|very big]."),
        Say("{Hero} looked out of the window and saw {n} {pet.s}."),
        Line("\"Look! {N} {pet.s}!\" said {hero}."),
        Line("{Place.in}, they [walked for a long time|had a picnic|saw many things|met {hero.his} friend {friend}]."),
        Say("{Hero} saw {color.a} {plant} and {size.a} {animal}.").Sometimes(0.5),
        Line("\"Can we come back tomorrow?\" asked {hero}."),
        Line("\"Yes, we can,\" said {hero.his} {grownup} with a smile."),
        Line("They went home by {ride}. {Hero} was tired but {happy}."),
    ]);

    public static readonly Plot Garden = new("garden", Weight: 2,
    [
        Opening,
        Say("{Hero} and {hero.his} {grownup} had a garden [behind the house|near the [river|forest|hill|lake|school]]."),
        Say("In the garden, there was {color.a} {plant}, {size.a} {plant} and many {plant.s}."),
        Say("Every day, {hero} watered the {plant.s}."),
        Say("{time}, {hero.he} saw {n} {pet.s} in the garden."),
        Line("\"Please don't eat the {plant.s}!\" said {hero}."),
        Say("The {pet.s} [ran away.|looked at {hero.him} and said \"{Pet.sound}!\"|sat down in the grass.]"),
        Say("Soon the garden was full of {color} flowers."),
        EndingAlone,
    ]);
}
