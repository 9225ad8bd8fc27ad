using Peft.Tools.DemoModel.Tokenizer;

namespace Peft.Tools.Tests.Tokenizer;

public class PreTokenizerTests
{
    private static List<string> Pieces(string text)
    {
        var pieces = new List<string>();
        foreach (var match in Gpt2PreTokenizer.Split(text)) pieces.Add(text.Substring(match.Index, match.Length));
        return pieces;
    }

    [Theory]
    [InlineData("Hello world", new[] { "Hello", " world" })]
    [InlineData("I'm sure it's Tom's", new[] { "I", "'m", " sure", " it", "'s", " Tom", "'s" })]
    [InlineData("\"Hi!\" said Mia.", new[] { "\"", "Hi", "!\"", " said", " Mia", "." })]
    [InlineData("a  b", new[] { "a", " ", " b" })]
    [InlineData("a\n\nb", new[] { "a", "\n", "\n", "b" })] // the optional prefix is a space, never a newline
    [InlineData("ten 10 apples", new[] { "ten", " 10", " apples" })]
    [InlineData("end.  \n", new[] { "end", ".", "  \n" })]
    public void Splits_as_the_gpt2_regex_does(string text, string[] expected)
    {
        Assert.Equal(expected, Pieces(text));
    }

    [Fact]
    public void Counts_each_piece()
    {
        var counts = PreTokenCounts.Of("the cat saw the cat.");
        Assert.Equal(2, counts.Counts[" cat"]);
        Assert.Equal(1, counts.Counts[" the"]);
        Assert.Equal(1, counts.Counts["the"]);
        Assert.Equal(6, counts.TotalPreTokens);
    }
}
