using Peft.Tools.DemoModel.Tokenizer;

namespace Peft.Tools.Tests.Tokenizer;

public class RoundTripTests
{
    public static TheoryData<string> Texts =>
    [
        "",
        "Once upon a time, there was a little girl named Mia.",
        "\"Hello!\" said Tom. \"I'm here, it's fine, we'll go.\"",
        "  leading, trailing and    multiple   spaces  ",
        "tabs\tand\nnewlines\r\n\n\nand a blank line\n",
        "emoji 🦙🎉 family 👩‍👩‍👧 flag 🇳🇴",
        "CJK 你好，世界 日本語のテキスト 한국어",
        "accents café naïve e\u0301 Ångström",
        "supplementary letters 𠀀𠀁 and math 𝒜𝓑",
        "numbers 0 7 42 123456789 3.14",
        "specials <s> inside </s> the <pad> text <s",
        "control \u0001\u0002 and nul \0 bytes",
    ];

    [Theory]
    [MemberData(nameof(Texts))]
    public void Demo_tokenizer_decodes_what_it_encodes(string text)
    {
        Assert.Equal(text, DemoTokenizer.Model.Decode(DemoTokenizer.Model.Encode(text)));
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public void A_tokenizer_with_no_merges_round_trips_through_bytes(string text)
    {
        var bytesOnly = BpeTrainer.Train(new Dictionary<string, long>(), new BpeTrainerOptions());
        var ids = bytesOnly.Encode(text);
        Assert.Equal(text, bytesOnly.Decode(ids));
    }

    [Fact]
    public void Special_tokens_in_the_text_become_their_ids_and_bos_is_optional()
    {
        var model = DemoTokenizer.Model;
        var ids = model.Encode("<s>Hi</s>", addBos: true);
        Assert.Equal(model.BosId, ids[0]);
        Assert.Equal(model.BosId, ids[1]);
        Assert.Equal(model.EosId, ids[^1]);
        Assert.Equal("<s><s>Hi</s>", model.Decode(ids));
    }

    [Fact]
    public void Story_words_are_single_tokens_with_their_leading_space()
    {
        var model = DemoTokenizer.Model;
        foreach (string word in new[] { " the", " Mia", " elephant", " said", "Once", " animal", "\n" })
            Assert.Single(model.Encode(word));
    }
}
