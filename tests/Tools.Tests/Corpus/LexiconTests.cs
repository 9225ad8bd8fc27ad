using Peft.Tools.DemoModel.Corpus;

namespace Peft.Tools.Tests.Corpus;

public class LexiconTests
{
    [Fact]
    public void Every_thing_word_has_exactly_one_kind()
    {
        var words = Lexicon.AllThings.SelectMany(t => new[] { t.Singular, t.Plural }).Distinct().ToList();
        foreach (string word in words)
        {
            var kinds = Lexicon.AllThings.Where(t => t.Singular == word || t.Plural == word).Select(t => t.Kind).Distinct();
            Assert.Single(kinds);
        }
        Assert.Equal(Lexicon.AllThings.Length, Lexicon.AllThings.Select(t => t.Singular).Distinct().Count());
    }

    [Fact]
    public void Names_places_and_adjectives_are_never_things()
    {
        var thingWords = Lexicon.AllThings.SelectMany(t => new[] { t.Singular, t.Plural }).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var others = Lexicon.BoyNames.Concat(Lexicon.GirlNames).Concat(Lexicon.Places.Select(p => p.Name))
            .Concat(Lexicon.Colors).Concat(Lexicon.Sizes).Concat(Lexicon.Qualities);
        Assert.DoesNotContain(others, thingWords.Contains);
    }

    [Fact]
    public void Names_are_unique_and_each_is_one_gender()
    {
        var names = Lexicon.BoyNames.Concat(Lexicon.GirlNames).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
    }

    [Fact]
    public void Pets_all_make_a_sound()
    {
        Assert.NotEmpty(Lexicon.Pets);
        Assert.All(Lexicon.Pets, p => Assert.NotNull(p.Sound));
    }

    [Fact]
    public void The_lexicon_has_a_few_hundred_words()
    {
        var words = Lexicon.AllThings.SelectMany(t => new[] { t.Singular, t.Plural })
            .Concat(Lexicon.BoyNames).Concat(Lexicon.GirlNames).Concat(Lexicon.Colors).Concat(Lexicon.Sizes)
            .Concat(Lexicon.Qualities).Concat(Lexicon.Traits).Concat(Lexicon.GoodFeelings).Concat(Lexicon.BadFeelings)
            .Distinct().Count();
        Assert.InRange(words, 250, 600);
    }
}
