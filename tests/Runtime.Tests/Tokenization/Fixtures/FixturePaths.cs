namespace Peft.Runtime.Tests.Tokenization.Fixtures;

/// <summary>Where the checked-in tokenizer fixtures live: tests/fixtures/tokenizers/&lt;name&gt; in the repository.</summary>
internal static class FixturePaths
{
    public const string Gpt2 = "gpt2-bytelevel";
    public const string Llama3 = "llama3-bytelevel";
    public const string SentencePiece = "llama2-sentencepiece";

    public static string Root { get; } = FindRoot();

    public static string Of(string name) => Path.Combine(Root, name);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Peft.sln")))
                return Path.Combine(dir.FullName, "tests", "fixtures", "tokenizers");
        }
        throw new DirectoryNotFoundException($"no Peft.sln above {AppContext.BaseDirectory}");
    }
}
