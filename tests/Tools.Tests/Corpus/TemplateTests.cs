using Peft.Tools.DemoModel.Common;
using Peft.Tools.DemoModel.Corpus;

namespace Peft.Tools.Tests.Corpus;

public class TemplateTests
{
    private sealed class FixedScope(ulong seed = 1) : ISlotScope
    {
        public SeededRandom Random { get; } = new(seed);

        public string Resolve(string name, string form) => (name, form) switch
        {
            ("hero", "") => "Mia",
            ("hero", "he") => "she",
            ("color", "") => "orange",
            ("size", "") => "big",
            _ => throw new InvalidOperationException($"unknown {name}.{form}"),
        };
    }

    [Theory]
    [InlineData("plain text.", "plain text.")]
    [InlineData("{hero} ran.", "Mia ran.")]
    [InlineData("{Hero.he} ran.", "She ran.")]
    [InlineData("{hero} had {color.a} hat and {size.a} dog.", "Mia had an orange hat and a big dog.")]
    [InlineData("{Color.a} hat.", "An orange hat.")]
    [InlineData("[only] choice", "only choice")]
    public void Expands_slots_articles_and_capitals(string source, string expected)
    {
        Assert.Equal(expected, Template.Parse(source).Expand(new FixedScope()));
    }

    [Fact]
    public void Choices_cover_every_alternative_including_empty_and_nested()
    {
        var template = Template.Parse("a[|b|[c|{hero}]]");
        var seen = new HashSet<string>();
        var scope = new FixedScope();
        for (int i = 0; i < 200; i++) seen.Add(template.Expand(scope));
        Assert.Equal(["a", "aMia", "ab", "ac"], seen.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("{hero")]
    [InlineData("[a|b")]
    [InlineData("a]")]
    [InlineData("a|b")]
    [InlineData("{}")]
    [InlineData("}")]
    public void Malformed_templates_fail_at_parse(string source)
    {
        Assert.Throws<FormatException>(() => Template.Parse(source));
    }

    [Fact]
    public void An_unknown_slot_fails_when_expanded()
    {
        var template = Template.Parse("{villain} laughed.");
        Assert.Throws<InvalidOperationException>(() => template.Expand(new FixedScope()));
    }
}
