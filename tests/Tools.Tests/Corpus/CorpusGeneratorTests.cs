using System.Text;
using System.Text.RegularExpressions;
using Peft.Tools.DemoModel.Corpus;

namespace Peft.Tools.Tests.Corpus;

public partial class CorpusGeneratorTests
{
    private static List<string> Documents(ulong seed, int count)
    {
        var generator = new CorpusGenerator(seed);
        return [.. Enumerable.Range(0, count).Select(_ => generator.NextDocument())];
    }

    [Fact]
    public void The_same_seed_gives_the_same_text_and_another_seed_other_text()
    {
        Assert.Equal(DemoTokenizer.GeneratedText(7, 200_000), DemoTokenizer.GeneratedText(7, 200_000));
        Assert.NotEqual(DemoTokenizer.GeneratedText(7, 200_000), DemoTokenizer.GeneratedText(8, 200_000));
    }

    [Fact]
    public void Text_is_varied_sentences_over_a_few_hundred_words()
    {
        string text = DemoTokenizer.GeneratedText(3, 1_000_000);
        var sentences = SentenceEnd().Split(text).Select(s => s.Trim()).Where(s => s.Length > 0).ToList();
        double distinctRatio = (double)sentences.Distinct(StringComparer.Ordinal).Count() / sentences.Count;
        var words = Word().Matches(text).Select(m => m.Value.ToLowerInvariant()).ToHashSet();

        // Measured at seed 3: 0.34 of 34k sentences distinct, 601 words (names, places and phrases included). Stock
        // phrases repeat by design ("They had so much fun."), so a tiny model sees each pattern often; the fills and
        // their combinations keep the text varied.
        Assert.InRange(distinctRatio, 0.25, 0.6);
        Assert.InRange(words.Count, 450, 800);
    }

    [Fact]
    public void Every_kind_of_document_is_told()
    {
        string text = string.Join("\n\n", Documents(5, 400));
        Assert.Contains("Thank you,", text, StringComparison.Ordinal);         // lost toy
        Assert.Contains("What is your name?", text, StringComparison.Ordinal); // new friend
        Assert.Contains("Come back, little", text, StringComparison.Ordinal);  // runaway pet
        Assert.Contains("counted them: one, two", text, StringComparison.Ordinal);
        Assert.Contains("looked out of the window", text, StringComparison.Ordinal);
        Assert.Contains("watered the", text, StringComparison.Ordinal);
        Assert.Contains(" is an animal.", text, StringComparison.Ordinal);
        Assert.Contains("asked", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Documents_are_clean_ascii_with_no_template_syntax_or_blank_lines()
    {
        foreach (string document in Documents(11, 500))
        {
            Assert.True(Ascii.IsValid(document), document);
            Assert.DoesNotContain("\n\n", document, StringComparison.Ordinal);
            Assert.DoesNotContain("  ", document, StringComparison.Ordinal);
            Assert.Equal(-1, document.IndexOfAny(['{', '}', '[', ']', '|']));
            Assert.Matches("^[A-Z\"]", document);
            Assert.Matches("[.!?\"]$", document);
        }
    }

    [Fact]
    public void A_story_keeps_its_hero_and_the_heros_pronouns()
    {
        foreach (string document in Documents(13, 300).Where(d => d.StartsWith("Once upon a time, there was", StringComparison.Ordinal)))
        {
            var intro = Intro().Match(document);
            Assert.True(intro.Success, document);
            string child = intro.Groups["child"].Value, name = intro.Groups["name"].Value;
            Assert.True(Regex.Count(document, $@"\b{name}\b") >= 3, document);
            // The sentence after the intro speaks of the hero; its pronoun must fit.
            string wrong = child == "boy" ? "She" : "He";
            Assert.DoesNotMatch($@"^Once upon a time[^.]*\. {wrong} ", document);
        }
    }

    [Fact]
    public void The_writer_stops_after_the_target_size_at_a_document_boundary()
    {
        using var stream = new MemoryStream();
        long written = CorpusWriter.Write(stream, new CorpusGenerator(1), 50_000);
        byte[] bytes = stream.ToArray();
        Assert.Equal(bytes.Length, written);
        Assert.InRange(written, 50_000, 55_000);
        string text = Encoding.UTF8.GetString(bytes);
        Assert.Matches("[.!?\"]\n$", text);
        Assert.True(text.Split(CorpusWriter.DocumentSeparator).Length > 20);
    }

    [GeneratedRegex(@"(?<=[.!?])[""]?\s+")]
    private static partial Regex SentenceEnd();

    [GeneratedRegex(@"[A-Za-z']+")]
    private static partial Regex Word();

    [GeneratedRegex(@"^Once upon a time, there was an? \w+ (?<child>boy|girl) named (?<name>\w+)\.")]
    private static partial Regex Intro();
}
