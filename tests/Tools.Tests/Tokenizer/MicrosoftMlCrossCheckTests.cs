using Microsoft.ML.Tokenizers;
using Peft.Tools.DemoModel.Tokenizer;

namespace Peft.Tools.Tests.Tokenizer;

/// <summary>
/// Our encoder against an independent one: Microsoft.ML.Tokenizers' byte-level BPE, built from the same vocabulary
/// and merges with the GPT-2 regex. The runtime is likely to load tokenizer.json into that library, so agreement here
/// is agreement with the server.
/// </summary>
public class MicrosoftMlCrossCheckTests
{
    private static BpeTokenizer Reference(BpeModel model)
    {
        var specials = model.Specials.ToDictionary(s => s.Content, s => s.Id);
        var vocab = model.Tokens.Select((token, id) => new KeyValuePair<string, int>(token, id));
        return BpeTokenizer.Create(new BpeOptions(vocab)
        {
            Merges = [.. model.Merges.Select(m => $"{model.Tokens[m.Left]} {model.Tokens[m.Right]}")],
            ByteLevel = true,
            PreTokenizer = new RegexPreTokenizer(Gpt2PreTokenizer.Regex(), specials),
            SpecialTokens = specials,
        });
    }

    public static TheoryData<string> Texts =>
    [
        "Once upon a time, there was a little girl named Mia. \"Hello!\" she said.\nThe end.",
        "Kind: Tom found a small frog by the pond. =>",
        "Words the stories never use: xylophone, quantum, Zürich, 12345.",
        "  spaces   and\ttabs\n\n",
        "emoji 🦙 and CJK 你好",
    ];

    [Theory]
    [MemberData(nameof(Texts))]
    public void Demo_tokenizer_encodes_like_microsoft_ml_tokenizers(string text)
    {
        var reference = Reference(DemoTokenizer.Model);
        Assert.Equal(reference.EncodeToIds(text), DemoTokenizer.Model.Encode(text));
    }

    [Fact]
    public void A_generated_corpus_encodes_identically()
    {
        string text = DemoTokenizer.GeneratedText(seed: 41, 100_000);
        Assert.Equal(Reference(DemoTokenizer.Model).EncodeToIds(text), DemoTokenizer.Model.Encode(text));
    }

    [Fact]
    public void A_tokenizer_trained_on_varied_text_encodes_identically()
    {
        // Text with many distinct words fills the vocabulary with partial-word merges, which is where ranks matter.
        var model = BpeTrainer.Train(PreTokenCounts.Of(PseudoWords(seed: 1, count: 20_000)).Counts, new BpeTrainerOptions { VocabSize = 1000 });
        Assert.Equal(1000, model.VocabSize);
        string text = PseudoWords(seed: 2, count: 2_000) + string.Join(' ', Words) + " unseen: " + string.Concat(Words.Reverse());
        Assert.Equal(Reference(model).EncodeToIds(text), model.Encode(text));
    }

    /// <summary>Random words of 1-4 syllables, some capitalised, some with digits or punctuation after them.</summary>
    private static string PseudoWords(ulong seed, int count)
    {
        var random = new Peft.Tools.DemoModel.Common.SeededRandom(seed);
        string[] syllables = ["ka", "lo", "mi", "tra", "sen", "qu", "ble", "ion", "ex", "ph", "ong", "ar", "ed", "ing", "st", "ou", "zy", "wh"];
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < count; i++)
        {
            string word = string.Concat(Enumerable.Range(0, random.NextInclusive(1, 4)).Select(_ => random.Pick(syllables)));
            text.Append(random.Chance(0.1) ? char.ToUpperInvariant(word[0]) + word[1..] : word);
            text.Append(random.Next(10) switch { 0 => ", ", 1 => random.Next(100) + " ", 2 => ".\n", _ => " " });
        }
        return text.ToString();
    }

    private static readonly string[] Words =
    [
        "tokenizer", "merging", "frequency", "pairs", "vocabulary", "encoding", "decoding", "lowest", "newer", "wider",
        "unbelievable", "reconstruction", "international", "alphabet", "symbols", "deterministic", "rank", "quickly",
        "brown", "jumps", "lazy", "over", "Hugging", "Face", "regex", "bytes", "unicode", "mapping", "trainer", "heap",
    ];
}
