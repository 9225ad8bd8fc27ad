using Peft.Runtime.Tests.Tokenization.Fixtures;
using Peft.Runtime.Tokenization;

namespace Peft.Runtime.Tests.Tokenization;

/// <summary>
/// Long pre-tokenized pieces (one whitespace-free "word" of megabytes) are cut into bounded chunks, so tokenizing
/// costs time linear in the text, and cut where no token can span, so the ids are those of the whole piece.
/// Tokenizing honours cancellation.
/// </summary>
public sealed class LongPieceTests
{
    private static readonly string DemoDirectory = Path.GetFullPath(Path.Combine(FixturePaths.Root, "..", "..", "..", "models", "demo"));

    public static TheoryData<string> Alphabets => ["abcdefghijklmnopqrstuvwxyz", "的一是不了人我在有他这为之大来以个中上们", "😀🎉ab中", "aaaa"];

    [Theory]
    [MemberData(nameof(Alphabets))]
    public void Chunks_are_bounded_cover_the_piece_and_never_split_a_character(string alphabet)
    {
        var chunker = new PieceChunker(Vocabulary(DemoDirectory));
        string piece = Random(5000, alphabet, seed: 1);

        var chunks = chunker.Chunks(piece.AsMemory()).ToList();

        Assert.All(chunks, c => Assert.InRange(c.Length, 1, PieceChunker.DefaultMaxChunkChars));
        Assert.Equal(0, chunks[0].Start);
        for (int i = 1; i < chunks.Count; i++) Assert.Equal(chunks[i - 1].Start + chunks[i - 1].Length, chunks[i].Start);
        Assert.Equal(piece.Length, chunks[^1].Start + chunks[^1].Length);
        Assert.All(chunks, c => Assert.False(char.IsLowSurrogate(piece[c.Start])));
        Assert.Single(chunker.Chunks("short".AsMemory()));
    }

    [Theory]
    [InlineData("demo", "的一是不了人我在有他这为之大来以个中上们")]
    [InlineData("demo", "onceuponatimetherewasalittlecatwhoplayedinthegarden")]
    [InlineData("gpt2", "abcdefghijklmnopqrstuvwxyz")]
    [InlineData("gpt2", "中文😀")]
    [InlineData("llama3", "的一是不了人我在有他这为之大来以个中上们ab")]
    public void A_long_piece_cut_at_safe_places_encodes_to_the_ids_of_the_whole_piece(string tokenizer, string alphabet)
    {
        string directory = tokenizer == "demo" ? DemoDirectory : FixturePaths.Of(tokenizer == "gpt2" ? FixturePaths.Gpt2 : FixturePaths.Llama3);
        var chunked = Encoder(directory, PieceChunker.DefaultMaxChunkChars);
        var whole = Encoder(directory, int.MaxValue);
        var chunker = new PieceChunker(Vocabulary(directory));
        int compared = 0;
        for (int seed = 0; seed < 6; seed++)
        {
            string piece = Random(2600, alphabet, seed);
            var cuts = chunker.Chunks(piece.AsMemory()).Skip(1).Select(c => c.Start).ToList();
            if (!cuts.All(at => chunker.IsSafeCut(piece, at))) continue;
            var expected = new List<int>();
            var actual = new List<int>();
            whole.Encode(piece, expected, CancellationToken.None);
            chunked.Encode(piece, actual, CancellationToken.None);
            Assert.Equal(expected, actual);
            compared++;
        }
        Assert.True(compared > 0, "no piece had only safe cuts: the case tests nothing");
    }

    [Fact]
    public void Encoding_stops_when_the_caller_cancels()
    {
        var tokenizer = ModelTokenizer.Load(DemoDirectory);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => tokenizer.Encode(Random(100_000, "abc", 3), cancellationToken: cancelled.Token));
        Assert.NotEmpty(tokenizer.Encode("still works"));
    }

    private static ISegmentEncoder Encoder(string directory, int maxChunkChars) =>
        ByteLevelBpeBuilder.Build(TokenizerJsonFile.Load(Path.Combine(directory, TokenizerJsonFile.FileName)), maxChunkChars).Encoder;

    private static IEnumerable<string> Vocabulary(string directory) =>
        ByteLevelBpeBuilder.Build(TokenizerJsonFile.Load(Path.Combine(directory, TokenizerJsonFile.FileName))).Vocabulary.Keys;

    private static string Random(int length, string alphabet, int seed)
    {
        var elements = System.Globalization.StringInfo.GetTextElementEnumerator(alphabet);
        var units = new List<string>();
        while (elements.MoveNext()) units.Add((string)elements.Current);
        var random = new Random(seed);
        var text = new System.Text.StringBuilder(length + 2);
        while (text.Length < length) text.Append(units[random.Next(units.Count)]);
        return text.ToString();
    }
}
