using System.Text;
using Peft.Runtime.Tokenization;

namespace Peft.Runtime.Tests.Tokenization;

public sealed class ByteLevelAlphabetTests
{
    [Fact]
    public void Every_byte_has_its_own_printable_symbol_and_maps_back()
    {
        var symbols = Enumerable.Range(0, 256).Select(b => ByteLevelAlphabet.CharOf((byte)b)).ToList();
        Assert.Equal(256, symbols.Distinct().Count());
        Assert.All(symbols, c => Assert.False(char.IsWhiteSpace(c) || char.IsControl(c), $"U+{(int)c:X4}"));
        byte[] all = [.. Enumerable.Range(0, 256).Select(b => (byte)b)];
        Assert.Equal(all, ByteLevelAlphabet.Unspell(new string([.. symbols])));
    }

    [Fact]
    public void Spelling_matches_gpt2()
    {
        Assert.Equal("ĠHello", ByteLevelAlphabet.Spell(" Hello"));
        Assert.Equal("Ċ", ByteLevelAlphabet.Spell("\n"));
        Assert.Equal("ä¸Ń", ByteLevelAlphabet.Spell("中"));
        Assert.Equal("ðŁĺĢ", ByteLevelAlphabet.Spell("😀"));
    }

    [Fact]
    public void A_token_with_characters_outside_the_alphabet_stands_for_its_utf8_bytes()
    {
        // As Hugging Face's ByteLevel decoder does for added tokens such as one containing a real space.
        Assert.Equal(Encoding.UTF8.GetBytes("<|a b|>"), ByteLevelAlphabet.Unspell("<|a b|>"));
        Assert.Equal("<|eot_id|>"u8.ToArray(), ByteLevelAlphabet.Unspell("<|eot_id|>"));
    }
}
