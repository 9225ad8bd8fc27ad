using System.Text;
using Peft.Runtime.Tests.Tokenization.Fixtures;
using Peft.Runtime.Tokenization;

namespace Peft.Runtime.Tests.Tokenization;

/// <summary>
/// The detokenizer's contract: the concatenation of Push outputs plus Flush is Decode of all ids, and text
/// that is valid UTF-8 streams out without ever showing U+FFFD or half a surrogate pair.
/// </summary>
public sealed class IncrementalDetokenizerTests
{
    public static TheoryData<string, bool> FixturesAndSkipSetting() => new()
    {
        { FixturePaths.Gpt2, true }, { FixturePaths.Gpt2, false },
        { FixturePaths.Llama3, true }, { FixturePaths.Llama3, false },
        { FixturePaths.SentencePiece, true }, { FixturePaths.SentencePiece, false },
    };

    public static TheoryData<string> Fixtures() => [FixturePaths.Gpt2, FixturePaths.Llama3, FixturePaths.SentencePiece];

    [Theory]
    [MemberData(nameof(FixturesAndSkipSetting))]
    public void Streaming_random_id_sequences_gives_exactly_decode(string fixture, bool skipSpecialTokens)
    {
        ModelTokenizer tokenizer = FixtureTokenizers.Get(fixture);
        var random = new Random(fixture.Length * 31 + (skipSpecialTokens ? 1 : 0));
        for (int sequence = 0; sequence < 400; sequence++)
        {
            int[] ids = [.. Enumerable.Range(0, random.Next(0, 48)).Select(_ => RandomId(random, tokenizer.VocabSize))];
            (string streamed, List<string> pieces) = Stream(tokenizer, ids, skipSpecialTokens);
            Assert.Equal(tokenizer.Decode(ids, skipSpecialTokens), streamed);
            Assert.All(pieces, piece => Assert.True(IsWellFormed(piece), $"half a surrogate pair in [{string.Join(",", ids)}]"));
        }
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Valid_text_streams_without_replacement_characters_even_where_tokens_split_characters(string fixture)
    {
        ModelTokenizer tokenizer = FixtureTokenizers.Get(fixture);
        string[] fragments =
        [
            "Hello", " world", "the", " tokens", "\n", "\n\n", " ", "中文", "分词", "。", "日本語", "😀", "😀😀", "🎉",
            "👍🏽", "❤️", " 🚀", "Café", " naïve", "Привет", "12345", "$19.99", "é", "文", "\t",
        ];
        var random = new Random(fixture.Length);
        int splitTokens = 0;
        for (int sequence = 0; sequence < 300; sequence++)
        {
            string text = string.Concat(Enumerable.Range(0, random.Next(1, 12)).Select(_ => fragments[random.Next(fragments.Length)]));
            IReadOnlyList<int> ids = tokenizer.Encode(text);
            (string streamed, List<string> pieces) = Stream(tokenizer, ids, skipSpecialTokens: true);
            Assert.Equal(text, streamed);
            Assert.All(pieces, piece => Assert.DoesNotContain('\uFFFD', piece));
            Assert.All(pieces, piece => Assert.True(IsWellFormed(piece)));
            splitTokens += ids.Count(id => tokenizer.TokenText(id).Contains('\uFFFD', StringComparison.Ordinal));
        }
        // The property is only worth something if some tokens really carry part of a character.
        Assert.True(splitTokens > 50, $"only {splitTokens} tokens split a character");
    }

    [Fact]
    public void An_emoji_split_over_two_byte_level_tokens_arrives_with_the_second()
    {
        IncrementalDetokenizer detokenizer = FixtureTokenizers.Get(FixturePaths.Gpt2).CreateDetokenizer();
        Assert.Equal("", detokenizer.Push(274));    // F0 9F 98
        Assert.Equal("😀", detokenizer.Push(222));  // 80
        Assert.Equal("", detokenizer.Flush());
    }

    [Fact]
    public void A_byte_fallback_character_arrives_with_its_last_byte_and_the_dummy_prefix_space_is_dropped()
    {
        IncrementalDetokenizer detokenizer = FixtureTokenizers.Get(FixturePaths.SentencePiece).CreateDetokenizer();
        Assert.Equal("", detokenizer.Push(1));      // <s>, skipped
        Assert.Equal("", detokenizer.Push(276));    // ▁: the leading space HF's decode strips
        Assert.Equal("", detokenizer.Push(233));    // <0xE6>
        Assert.Equal("", detokenizer.Push(153));    // <0x96>
        Assert.Equal("文", detokenizer.Push(138));  // <0x87>
        Assert.Equal(" Hello", detokenizer.Push(266)); // only the very first space goes
        Assert.Equal("", detokenizer.Flush());
    }

    [Fact]
    public void Special_tokens_are_written_when_not_skipped()
    {
        ModelTokenizer tokenizer = FixtureTokenizers.Get(FixturePaths.Llama3);
        IncrementalDetokenizer detokenizer = tokenizer.CreateDetokenizer(skipSpecialTokens: false);
        Assert.Equal("<|begin_of_text|>", detokenizer.Push(Llama3Fixture.Special("<|begin_of_text|>")));
        Assert.Equal("<|eot_id|>", detokenizer.Push(Llama3Fixture.Special("<|eot_id|>")));
        Assert.Equal("", tokenizer.CreateDetokenizer().Push(Llama3Fixture.Special("<|eot_id|>")));
    }

    [Fact]
    public void Bytes_that_cannot_become_a_character_come_out_at_once_and_an_unfinished_one_at_flush()
    {
        ModelTokenizer tokenizer = FixtureTokenizers.Get(FixturePaths.SentencePiece);
        IncrementalDetokenizer detokenizer = tokenizer.CreateDetokenizer();
        Assert.Equal("\uFFFD", detokenizer.Push(3 + 0x80)); // a lone continuation byte is invalid already
        Assert.Equal(" Hello", detokenizer.Push(266));      // not the first character any more: space kept
        Assert.Equal("", detokenizer.Push(3 + 0xE6));       // may still become 文
        Assert.Equal("\uFFFD", detokenizer.Flush());
        Assert.Equal("\uFFFD Hello\uFFFD", tokenizer.Decode([3 + 0x80, 266, 3 + 0xE6]));
    }

    [Fact]
    public void Push_after_flush_is_refused()
    {
        IncrementalDetokenizer detokenizer = FixtureTokenizers.Get(FixturePaths.Gpt2).CreateDetokenizer();
        detokenizer.Flush();
        Assert.Throws<InvalidOperationException>(() => detokenizer.Push(262));
        Assert.Equal("", detokenizer.Flush());
    }

    private static (string Text, List<string> Pieces) Stream(ModelTokenizer tokenizer, IEnumerable<int> ids, bool skipSpecialTokens)
    {
        IncrementalDetokenizer detokenizer = tokenizer.CreateDetokenizer(skipSpecialTokens);
        List<string> pieces = [.. ids.Select(detokenizer.Push)];
        pieces.Add(detokenizer.Flush());
        return (string.Concat(pieces), pieces);
    }

    /// <summary>Mostly real tokens, some special or past the end, so every decoding path is hit.</summary>
    private static int RandomId(Random random, int vocabSize) => random.Next(10) switch
    {
        0 => vocabSize + random.Next(3), // no such token
        1 => vocabSize - 1 - random.Next(Math.Min(12, vocabSize)), // the added / special tokens sit at the end
        _ => random.Next(vocabSize),
    };

    private static bool IsWellFormed(string text)
    {
        try
        {
            _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetByteCount(text);
            return true;
        }
        catch (EncoderFallbackException)
        {
            return false;
        }
    }
}
