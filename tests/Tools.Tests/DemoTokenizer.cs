using Peft.Tools.DemoModel.Corpus;
using Peft.Tools.DemoModel.Tokenizer;

namespace Peft.Tools.Tests;

/// <summary>A demo tokenizer trained once per test run on 2 MB of generated corpus (seed 1), shared by the tests that need one.</summary>
internal static class DemoTokenizer
{
    public const int CorpusBytes = 2_000_000;

    private static readonly Lazy<BpeModel> Trained = new(() =>
        BpeTrainer.Train(PreTokenCounts.Of(GeneratedText(seed: 1, CorpusBytes)).Counts, new BpeTrainerOptions()));

    public static BpeModel Model => Trained.Value;

    public static string GeneratedText(ulong seed, long bytes)
    {
        using var stream = new MemoryStream();
        CorpusWriter.Write(stream, new CorpusGenerator(seed), bytes);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
