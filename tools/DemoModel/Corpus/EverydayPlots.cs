using static Peft.Tools.DemoModel.Corpus.Beat;
using static Peft.Tools.DemoModel.Corpus.CommonBeats;

namespace Peft.Tools.DemoModel.Corpus;

/// <summary>Short documents that are not stories: plain sentences, questions and answers, facts about kinds of things.</summary>
internal static class EverydayPlots
{
    public static readonly Plot EverydaySentences = new("everyday sentences", Weight: 2,
    [
        Line(
            "{Name} ate {food.a} {anyplace.in}.",
            "{Name} has {number} {toy.s}.",
            "The {animal} is very {size}.",
            "{Name} wore {color.a} {clothing} to school.",
            "{Name} rode in the {vehicle} with {name}.",
            "{Name} watered the {plant.s} [in the garden|every morning].",
            "{Name} saw {number} {animal.s} {anyplace.in}.",
            "{Name} likes {food.s} and {food.s}.",
            "{Name} gave {food.a} to {name}.",
            "\"I like your {clothing},\" said {name}.",
            "The {color} {vehicle} went very fast.",
            "{Name} is {age} years old.",
            "There are {number.digits} {plant.s} {anyplace.in}.",
            "{Name} put on {color.a} {clothing} because it was cold.",
            "{Name} and {name} {game} {anyplace.in}.",
            "{Name} found {quality.a} {toy} {spot}.",
            "{fact}").Times(3, 7),
    ]);

    public static readonly Plot Questions = new("questions", Weight: 1,
    [
        Say("{Hero} liked to ask questions.", "{Hero} had many questions for {hero.his} {grownup}."),
        Line(
            "\"What color is the sky?\" asked {hero}.\n\"The sky is blue,\" said {hero.his} {grownup}.",
            "\"What color is the grass?\" asked {hero}.\n\"The grass is green,\" said {hero.his} {grownup}.",
            "\"What does {pet.a} say?\" asked {hero}.\n\"{Pet.a} says {pet.sound},\" said {hero.his} {grownup}.",
            "\"What is a baby dog called?\" asked {hero}.\n\"A baby dog is called a puppy,\" said {hero.his} {grownup}.",
            "\"What is a baby cat called?\" asked {hero}.\n\"A baby cat is called a kitten,\" said {hero.his} {grownup}.",
            "\"What is a baby sheep called?\" asked {hero}.\n\"A baby sheep is called a lamb,\" said {hero.his} {grownup}.",
            "\"How many {snack.s} are there?\" asked {hero}.\n\"There are {n} {snack.s},\" said {hero.his} {grownup}.",
            "\"What is {snack.a}?\" asked {hero}.\n\"{Snack.a} is food,\" said {hero.his} {grownup}.",
            "\"Is {ride.a} a vehicle?\" asked {hero}.\n\"Yes, {ride.a} is a vehicle,\" said {hero.his} {grownup}.",
            "\"Is {pet.a} an animal?\" asked {hero}.\n\"Yes, {pet.a} is an animal,\" said {hero.his} {grownup}.").Times(2, 4),
        EndingAlone.Sometimes(0.5),
    ]);

    // Weight 5 rather than 1: a few minutes of pretraining must teach the demo model every thing's kind, which the demo
    // task's adapter then reads out; at 1 the model knew 8 of 105 kinds, at 5 it knows 104 (docs/demo-model.md).
    public static readonly Plot Facts = new("facts", Weight: 5,
    [
        Say("{Hero} read a book about [animals and plants|many things|the world]. It said:", "{Hero.his} {grownup} told {hero.him} some facts."),
        Line("{fact}").Times(3, 6),
    ]);
}
