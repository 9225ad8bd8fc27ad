using Peft.LoadTests.Workload;

namespace Peft.LoadTests.Tests;

public sealed class LengthDistributionTests
{
    [Theory]
    [InlineData("32", 32, 32)]
    [InlineData("8:64", 8, 64)]
    [InlineData("16,32,128", 16, 128)]
    [InlineData(" 4 : 4 ", 4, 4)]
    public void Parses_fixed_ranges_and_lists(string text, int min, int max)
    {
        var d = LengthDistribution.Parse(text);
        Assert.Equal(min, d.Min);
        Assert.Equal(max, d.Max);
        var random = new Random(1);
        Assert.All(Enumerable.Range(0, 500).Select(_ => d.Next(random)), n => Assert.InRange(n, min, max));
    }

    [Fact]
    public void A_list_draws_only_its_values_and_a_range_reaches_both_ends()
    {
        var random = new Random(2);
        var list = LengthDistribution.Parse("16,32,128");
        Assert.Equal([16, 32, 128], Enumerable.Range(0, 300).Select(_ => list.Next(random)).Distinct().Order());
        var range = LengthDistribution.Parse("1:3");
        Assert.Equal([1, 2, 3], Enumerable.Range(0, 300).Select(_ => range.Next(random)).Distinct().Order());
        Assert.Equal(2.0, range.Mean);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("8:4")]
    [InlineData("1:2:3")]
    [InlineData("a,b")]
    public void Refuses_what_is_not_a_positive_length(string text)
    {
        var e = Assert.Throws<FormatException>(() => LengthDistribution.Parse(text));
        Assert.Contains(text.Split(',')[0].Split(':')[0], e.Message, StringComparison.Ordinal);
    }
}
