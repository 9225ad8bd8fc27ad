using Peft.Runtime.Tests.Tokenization.Fixtures;
using Peft.Runtime.Tokenization;

namespace Peft.Runtime.Tests.Tokenization;

/// <summary>Decode(Encode(text)) == text for every fixture, over text that byte-level and byte-fallback must carry.</summary>
public sealed class RoundTripTests
{
    public static TheoryData<string, string> Cases()
    {
        string[] texts =
        [
            "Hello world",
            "The tokenizer turns text into tokens.\nNew line, and another.\n\n",
            " leading space, trailing space ",
            "double  spaces\tand\ttabs",
            "中文分词很重要。日本語のテキスト",
            "Emoji: 😀😀 🎉 👍🏽 ❤️ 🚀!",
            "Café naïve résumé Zürich Ångström",
            "Привет, мир!",
            "def f(x):\r\n    return x ** 2  # square",
            "12345 3.14159 $19.99",
            "",
        ];
        var data = new TheoryData<string, string>();
        foreach (string fixture in (string[])[FixturePaths.Gpt2, FixturePaths.Llama3, FixturePaths.SentencePiece])
            foreach (string text in texts)
                data.Add(fixture, text);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decode_of_encode_gives_the_text_back(string fixture, string text)
    {
        ModelTokenizer tokenizer = FixtureTokenizers.Get(fixture);
        IReadOnlyList<int> ids = tokenizer.Encode(text);
        Assert.Equal(text, tokenizer.Decode(ids));
        Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text, addSpecialTokens: false)));
    }
}
