using Peft.Tools.DemoModel.Tokenizer;

namespace Peft.Tools.Tests.Tokenizer;

public class ByteLevelAlphabetTests
{
    [Fact]
    public void Maps_the_256_bytes_to_256_distinct_printable_characters_and_back()
    {
        var chars = Enumerable.Range(0, 256).Select(b => ByteLevelAlphabet.ToChar((byte)b)).ToList();
        Assert.Equal(256, chars.Distinct().Count());
        Assert.All(chars, c => Assert.False(char.IsWhiteSpace(c) || char.IsControl(c)));
        for (int b = 0; b < 256; b++)
        {
            Assert.True(ByteLevelAlphabet.TryToByte(chars[b], out byte back));
            Assert.Equal(b, back);
        }
    }

    [Theory]
    [InlineData(' ', 'Ġ')]
    [InlineData('\n', 'Ċ')]
    [InlineData('\t', 'ĉ')]
    [InlineData('\0', 'Ā')]
    [InlineData('a', 'a')]
    [InlineData('!', '!')]
    [InlineData('\u00AD', 'Ń')] // soft hyphen, the last of the 68 remapped bytes
    [InlineData('\u00FF', 'ÿ')]
    public void Matches_gpt2s_bytes_to_unicode(char b, char expected)
    {
        Assert.Equal(expected, ByteLevelAlphabet.ToChar((byte)b));
    }

    [Fact]
    public void Code_point_order_starts_with_printable_ascii_and_ends_with_the_remapped_bytes()
    {
        var order = ByteLevelAlphabet.SymbolsInCodePointOrder;
        Assert.Equal('!', order[0]);
        Assert.Equal('~', order[93]);
        Assert.Equal('Ā', order[188]);
        Assert.Equal('Ń', order[255]);
    }
}
