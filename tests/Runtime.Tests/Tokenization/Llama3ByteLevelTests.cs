using Peft.Runtime.Tests.Tokenization.Fixtures;
using Peft.Runtime.Tokenization;

namespace Peft.Runtime.Tests.Tokenization;

/// <summary>The Llama-3-style fixture: Split regex pre-tokenizer, ignore_merges, template BOS, special tokens.</summary>
public sealed class Llama3ByteLevelTests
{
    private static readonly ModelTokenizer Tokenizer = FixtureTokenizers.Get(FixturePaths.Llama3);

    private static int Special(string name) => Llama3Fixture.Special(name);

    private static List<int> Concat(params string[] pieces) =>
        [.. pieces.SelectMany(piece => Tokenizer.Encode(piece, addSpecialTokens: false))];

    [Fact]
    public void Begin_of_text_comes_from_the_post_processor_template()
    {
        Assert.True(Tokenizer.AddBosToken);
        Assert.Equal(Special("<|begin_of_text|>"), Tokenizer.BosTokenId);
        IReadOnlyList<int> ids = Tokenizer.Encode("Hello");
        Assert.Equal(Special("<|begin_of_text|>"), ids[0]);
        Assert.Equal(Tokenizer.Encode("Hello", addSpecialTokens: false), ids.Skip(1));
    }

    [Fact]
    public void Eos_ids_are_the_config_eos_then_generation_config_ids()
    {
        Assert.Equal([Special("<|eot_id|>"), Special("<|end_of_text|>"), Special("<|eom_id|>")], Tokenizer.EosTokenIds);
    }

    [Fact]
    public void Chat_special_tokens_in_the_text_are_their_ids_and_decode_back()
    {
        const string text = "<|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|>";
        IReadOnlyList<int> ids = Tokenizer.Encode(text, addSpecialTokens: false);
        Assert.Equal(
            [Special("<|start_header_id|>"), .. Concat("user"), Special("<|end_header_id|>"), .. Concat("\n\nHi there"), Special("<|eot_id|>")],
            ids);
        Assert.Equal(text, Tokenizer.Decode(ids, skipSpecialTokens: false));
        Assert.Equal("user\n\nHi there", Tokenizer.Decode(ids));
        Assert.All(Llama3Fixture.SpecialTokens, name => Assert.True(Tokenizer.IsSpecial(Special(name))));
    }

    [Fact]
    public void Ignore_merges_takes_a_whole_vocabulary_word_that_no_merge_makes()
    {
        int wholeWord = 256 + Llama3Fixture.MergeCount;
        Assert.Equal([wholeWord], Tokenizer.Encode(" zyzzyva", addSpecialTokens: false));
        Assert.DoesNotContain(wholeWord, Tokenizer.Encode(" zyzzyvas", addSpecialTokens: false));
        Assert.Equal(" zyzzyva", Tokenizer.TokenText(wholeWord));
    }

    [Fact]
    public void Llama3_pattern_groups_digits_by_three_and_splits_contractions_in_any_case()
    {
        Assert.Equal(Concat("123", "45"), Tokenizer.Encode("12345", addSpecialTokens: false));
        Assert.Equal(Concat("IT", "'S"), Tokenizer.Encode("IT'S", addSpecialTokens: false));
        Assert.Equal(Concat("a", "\n\n", "b"), Tokenizer.Encode("a\n\nb", addSpecialTokens: false));
        Assert.Equal(Concat("Hello", ",", " world", "!"), Tokenizer.Encode("Hello, world!", addSpecialTokens: false));
    }

    [Fact]
    public void Trained_merges_make_frequent_words_single_tokens()
    {
        // " the" is the corpus's most frequent word: Ġ t -> Ġt, h e -> he, Ġt he -> Ġthe are the first merges.
        Assert.Single(Tokenizer.Encode(" the", addSpecialTokens: false));
        Assert.Equal(" the", Tokenizer.Decode(Tokenizer.Encode(" the", addSpecialTokens: false)));
    }
}
