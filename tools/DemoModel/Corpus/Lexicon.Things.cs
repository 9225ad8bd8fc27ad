namespace Peft.Tools.DemoModel.Corpus;

/// <summary>Things, one list per <see cref="ThingKind"/>. A word is in one list only: the demo task depends on it.</summary>
internal static partial class Lexicon
{
    public static readonly Noun[] Animals =
    [
        Animal("cat", sound: "meow"), Animal("dog", sound: "woof"), Animal("puppy", "puppies", "woof"),
        Animal("kitten", sound: "mew"), Animal("bird", sound: "tweet"), Animal("duck", sound: "quack"),
        Animal("hen", sound: "cluck"), Animal("frog", sound: "ribbit"), Animal("mouse", "mice", "squeak"),
        Animal("owl", sound: "hoot"), Animal("pig", sound: "oink"), Animal("lamb", sound: "baa"),
        Animal("cow", sound: "moo"), Animal("horse", sound: "neigh"), Animal("sheep", "sheep", "baa"),
        Animal("goat", sound: "maa"), Animal("lion", sound: "roar"), Animal("snake", sound: "hiss"),
        Animal("bee", sound: "buzz"), Animal("fish"), Animal("rabbit"), Animal("fox"), Animal("bear"),
        Animal("tiger"), Animal("monkey"), Animal("turtle"), Animal("elephant"), Animal("zebra"),
        Animal("squirrel"), Animal("deer", "deer"),
    ];

    /// <summary>Animals small enough to pick up and that say something: the pets of the stories.</summary>
    public static readonly Noun[] Pets =
        [.. Animals.Where(a => a.Sound is not null && a.Singular is not ("cow" or "horse" or "lion" or "snake" or "bee" or "goat" or "sheep"))];

    public static readonly Noun[] Foods =
    [
        Food("apple"), Food("banana"), Food("cake"), Food("cookie"), Food("egg"), Food("pear"), Food("grape"),
        Food("carrot"), Food("pie"), Food("sandwich", "sandwiches"), Food("muffin"), Food("peach", "peaches"),
        Food("plum"), Food("lemon"), Food("cherry", "cherries"), Food("pizza"), Food("cupcake"),
        Food("potato", "potatoes"), Food("tomato", "tomatoes"), Food("candy", "candies"), Food("pancake"),
    ];

    public static readonly Noun[] Toys =
    [
        Toy("ball"), Toy("doll"), Toy("kite"), Toy("teddy", "teddies"), Toy("puzzle"), Toy("drum"), Toy("block"),
        Toy("robot"), Toy("balloon"), Toy("whistle"), Toy("marble"), Toy("puppet"), Toy("yoyo"), Toy("rattle"),
    ];

    public static readonly Noun[] Clothing =
    [
        Clothes("hat"), Clothes("coat"), Clothes("scarf", "scarves"), Clothes("sock"), Clothes("shoe"), Clothes("boot"),
        Clothes("shirt"), Clothes("dress", "dresses"), Clothes("jacket"), Clothes("sweater"), Clothes("mitten"),
        Clothes("cap"), Clothes("skirt"), Clothes("glove"),
    ];

    /// <summary>Vehicles one rides "in" and goes "by" ("by bus"); no bicycles, which take other prepositions.</summary>
    public static readonly Noun[] Vehicles =
    [
        Vehicle("car"), Vehicle("bus", "buses"), Vehicle("boat"), Vehicle("train"), Vehicle("plane"), Vehicle("truck"),
        Vehicle("ship"), Vehicle("tractor"), Vehicle("wagon"), Vehicle("taxi"), Vehicle("rocket"), Vehicle("van"),
        Vehicle("canoe"),
    ];

    public static readonly Noun[] Plants =
    [
        Plant("flower"), Plant("tree"), Plant("rose"), Plant("tulip"), Plant("sunflower"), Plant("cactus", "cacti"),
        Plant("fern"), Plant("bush", "bushes"), Plant("daisy", "daisies"), Plant("vine"), Plant("oak"), Plant("pine"),
        Plant("clover"),
    ];

    public static readonly Noun[] AllThings = [.. Animals, .. Foods, .. Toys, .. Clothing, .. Vehicles, .. Plants];

    public static IReadOnlyList<Noun> ThingsOf(ThingKind kind) => kind switch
    {
        ThingKind.Animal => Animals,
        ThingKind.Food => Foods,
        ThingKind.Toy => Toys,
        ThingKind.Clothing => Clothing,
        ThingKind.Vehicle => Vehicles,
        ThingKind.Plant => Plants,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private static Noun Animal(string singular, string? plural = null, string? sound = null) =>
        new(singular, plural ?? singular + "s", ThingKind.Animal, sound);

    private static Noun Food(string singular, string? plural = null) => new(singular, plural ?? singular + "s", ThingKind.Food);

    private static Noun Toy(string singular, string? plural = null) => new(singular, plural ?? singular + "s", ThingKind.Toy);

    private static Noun Clothes(string singular, string? plural = null) => new(singular, plural ?? singular + "s", ThingKind.Clothing);

    private static Noun Vehicle(string singular, string? plural = null) => new(singular, plural ?? singular + "s", ThingKind.Vehicle);

    private static Noun Plant(string singular, string? plural = null) => new(singular, plural ?? singular + "s", ThingKind.Plant);
}
