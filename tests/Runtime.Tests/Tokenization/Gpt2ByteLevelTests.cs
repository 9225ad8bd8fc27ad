using Peft.Runtime.Tests.Tokenization.Fixtures;
using Peft.Runtime.Tokenization;

namespace Peft.Runtime.Tests.Tokenization;

/// <summary>
/// The GPT-2-style fixture. Ids are derived by hand from <see cref="Gpt2Fixture.Merges"/> and GPT-2's byte
/// order: printable ASCII byte b is id b - 33, 'Ġ' (space) 220, 'Ċ' (newline) 198, and the merge of rank i is 256 + i.
/// </summary>
public sealed class Gpt2ByteLevelTests
{
    private static readonly ModelTokenizer Tokenizer = FixtureTokenizers.Get(FixturePaths.Gpt2);

    [Theory]
    [InlineData("Hello world", new[] { 262, 267 })]                          // Hello, Ġworld
    [InlineData(" the", new[] { 258 })]                                      // Ġt + he -> Ġthe
    [InlineData("the", new[] { 83, 257 })]                                   // t, he: no Ġ, so no Ġt
    [InlineData("Hello the world\n\n", new[] { 262, 258, 267, 268 })]        // ... ĊĊ
    [InlineData("it's", new[] { 72, 83, 6, 82 })]                            // "it" and "'s" are separate pieces
    [InlineData("and 12", new[] { 64, 77, 67, 220, 279 })]                   // "and" lacks the Ġ of Ġand; Ġ, 12
    [InlineData("中文", new[] { 270, 271, 229 })]                            // 中 whole; 文 = æĸ + ĩ (byte 0x87)
    [InlineData("😀", new[] { 274, 222 })]                                   // ðŁĺ + Ģ (byte 0x80)
    [InlineData("😀😀", new[] { 274, 272, 253, 246, 222 })]                  // Ģð (rank 16) wins over ðŁ (rank 17)
    public void Encodes_to_the_ids_derived_from_the_merges(string text, int[] expected)
    {
        Assert.Equal(expected, Tokenizer.Encode(text, addSpecialTokens: false));
    }

    [Fact]
    public void Endoftext_in_the_text_is_its_id_and_splits_the_words_around_it()
    {
        Assert.Equal([64, Gpt2Fixture.EndOfText, 65], Tokenizer.Encode("a<|endoftext|>b", addSpecialTokens: false));
        Assert.Equal([27, 91, 68], Tokenizer.Encode("<|e", addSpecialTokens: false)); // a prefix is just text
    }

    [Fact]
    public void Special_tokens_come_from_tokenizer_config_and_generation_config()
    {
        Assert.False(Tokenizer.AddBosToken);
        Assert.Equal(Gpt2Fixture.EndOfText, Tokenizer.BosTokenId);
        Assert.Equal([Gpt2Fixture.EndOfText], Tokenizer.EosTokenIds);
        Assert.Equal(Gpt2Fixture.EndOfText + 1, Tokenizer.VocabSize);
        Assert.True(Tokenizer.IsSpecial(Gpt2Fixture.EndOfText));
        Assert.False(Tokenizer.IsSpecial(262));
        // add_bos_token is false and the post-processor is ByteLevel: nothing is added.
        Assert.Equal([262], Tokenizer.Encode("Hello"));
    }

    [Fact]
    public void Decode_skips_or_writes_special_tokens()
    {
        int[] ids = [262, Gpt2Fixture.EndOfText, 267];
        Assert.Equal("Hello world", Tokenizer.Decode(ids));
        Assert.Equal("Hello<|endoftext|> world", Tokenizer.Decode(ids, skipSpecialTokens: false));
    }

    [Fact]
    public void Token_text_is_the_tokens_own_bytes()
    {
        Assert.Equal(" ", Tokenizer.TokenText(220));
        Assert.Equal("\n\n", Tokenizer.TokenText(268));
        Assert.Equal(" world", Tokenizer.TokenText(267));
        Assert.Equal("\uFFFD", Tokenizer.TokenText(274)); // F0 9F 98: three bytes of a four-byte character
        Assert.Equal("<|endoftext|>", Tokenizer.TokenText(Gpt2Fixture.EndOfText));
        Assert.Equal("", Tokenizer.TokenText(Tokenizer.VocabSize));
    }

    [Fact]
    public void Ids_that_are_no_token_decode_to_nothing()
    {
        Assert.Equal("Hello", Tokenizer.Decode([262, Tokenizer.VocabSize, -1, 100_000]));
    }
}
