using Peft.Runtime.Tests.Tokenization.Fixtures;
using Peft.Runtime.Tokenization;

namespace Peft.Runtime.Tests.Tokenization;

/// <summary>
/// The Llama-2-style tokenizer.model fixture. Ids derived by hand from <see cref="SentencePieceFixture"/>:
/// &lt;0xNN&gt; is 3 + NN, merged pieces from 259 in score order, characters from 276 ('▁' 276, 't' 278, 'a' 279,
/// 'w' 286, 'c' 289). SentencePiece BPE merges the adjacent pair whose result has the highest score.
/// </summary>
public sealed class SentencePieceTests
{
    private static readonly ModelTokenizer Tokenizer = FixtureTokenizers.Get(FixturePaths.SentencePiece);

    [Theory]
    [InlineData("Hello world", new[] { 266, 271 })]       // ll, ▁H, ▁He, llo, ▁Hello; ▁w, or, ld, ▁wor, ▁world
    [InlineData("the cat", new[] { 261, 276, 289, 279, 278 })] // ▁the; "▁c" is no piece: ▁ c a t
    [InlineData("Hello\nworld", new[] { 266, 13, 286, 268, 269 })] // newline falls back to <0x0A>; no ▁ before "world"
    [InlineData("文", new[] { 276, 233, 153, 138 })]      // not a piece: its UTF-8 bytes E6 96 87
    [InlineData("中", new[] { 276, 296 })]                // a piece
    [InlineData(" Hello", new[] { 276, 266 })]            // "▁▁Hello": ▁H outscores ▁▁, so the first ▁ stays alone
    public void Encodes_to_the_ids_derived_from_the_piece_scores(string text, int[] expected)
    {
        Assert.Equal(expected, Tokenizer.Encode(text, addSpecialTokens: false));
    }

    [Fact]
    public void Bos_is_added_per_tokenizer_config_and_eos_ids_join_both_configs()
    {
        Assert.True(Tokenizer.AddBosToken);
        Assert.Equal(1, Tokenizer.BosTokenId);
        Assert.Equal([1, 266, 271], Tokenizer.Encode("Hello world"));
        Assert.Equal([2, SentencePieceFixture.ImEnd], Tokenizer.EosTokenIds);
        Assert.Equal(SentencePieceFixture.ImEnd + 1, Tokenizer.VocabSize);
    }

    [Fact]
    public void Control_pieces_and_config_added_tokens_in_the_text_are_their_ids()
    {
        // Each run of text between added tokens gets the dummy prefix, as HF's Llama 2 tokenizer.json does.
        Assert.Equal([1, 266, 2], Tokenizer.Encode("<s>Hello</s>", addSpecialTokens: false));
        Assert.Equal([SentencePieceFixture.ImStart, 266, SentencePieceFixture.ImEnd],
            Tokenizer.Encode("<|im_start|>Hello<|im_end|>", addSpecialTokens: false));
        foreach (int id in (int[])[0, 1, 2, SentencePieceFixture.ImStart, SentencePieceFixture.ImEnd])
            Assert.True(Tokenizer.IsSpecial(id), $"id {id}");
        Assert.False(Tokenizer.IsSpecial(266));
        Assert.False(Tokenizer.IsSpecial(13));
    }

    [Fact]
    public void Decode_drops_the_dummy_prefix_space_once_at_the_start()
    {
        Assert.Equal("Hello world", Tokenizer.Decode([1, 266, 271]));
        Assert.Equal("<s> Hello world", Tokenizer.Decode([1, 266, 271], skipSpecialTokens: false));
        Assert.Equal(" Hello", Tokenizer.Decode([276, 266]));
        Assert.Equal("Hello\nworld", Tokenizer.Decode([266, 13, 286, 268, 269]));
        Assert.Equal("文", Tokenizer.Decode([276, 233, 153, 138]));
        Assert.Equal("<|im_start|> Hello", Tokenizer.Decode([SentencePieceFixture.ImStart, 266], skipSpecialTokens: false));
    }

    [Fact]
    public void Token_text_reads_the_space_marker_and_byte_pieces()
    {
        Assert.Equal(" Hello", Tokenizer.TokenText(266));
        Assert.Equal("\n", Tokenizer.TokenText(13));
        Assert.Equal("\uFFFD", Tokenizer.TokenText(233)); // <0xE6> alone is not a character
        Assert.Equal("</s>", Tokenizer.TokenText(2));
    }
}
