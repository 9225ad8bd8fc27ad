using Peft.Runtime.Tests.Fixtures;

namespace Peft.Runtime.Tests.Training;

/// <summary>
/// A model directory that has both weights and a tokenizer: the llama fixture's checkpoint with the GPT-2-style
/// byte-level tokenizer fixture (its 281 tokens fit the fixture's vocabulary of 384).
/// </summary>
internal static class TextModel
{
    private static readonly Lazy<string> Directory = new(Create);

    public static string Path => Directory.Value;

    private static string Create()
    {
        string dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"peft-text-model-{Environment.ProcessId}");
        System.IO.Directory.CreateDirectory(dir);
        foreach (var file in System.IO.Directory.GetFiles(HfFixtures.BaseDirectory("llama")))
            File.Copy(file, System.IO.Path.Combine(dir, System.IO.Path.GetFileName(file)), overwrite: true);
        string tokenizer = System.IO.Path.Combine(HfFixtures.RepositoryRoot(), "tests", "fixtures", "tokenizers", "gpt2-bytelevel");
        foreach (var name in new[] { "tokenizer.json", "tokenizer_config.json" })
            File.Copy(System.IO.Path.Combine(tokenizer, name), System.IO.Path.Combine(dir, name), overwrite: true);
        return dir;
    }
}
