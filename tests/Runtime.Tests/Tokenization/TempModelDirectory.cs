using System.Text.Json.Nodes;
using Peft.Runtime.Tests.Tokenization.Fixtures;

namespace Peft.Runtime.Tests.Tokenization;

/// <summary>A throw-away model directory, usually a copy of a fixture with one thing changed.</summary>
internal sealed class TempModelDirectory : IDisposable
{
    private TempModelDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"peft-tokenizer-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public static TempModelDirectory Empty() => new();

    public static TempModelDirectory CopyOf(string fixture)
    {
        var directory = new TempModelDirectory();
        foreach (string file in Directory.GetFiles(FixturePaths.Of(fixture)))
            File.Copy(file, System.IO.Path.Combine(directory.Path, System.IO.Path.GetFileName(file)));
        return directory;
    }

    public void Write(string file, string text) => File.WriteAllText(System.IO.Path.Combine(Path, file), text);

    public void Write(string file, byte[] bytes) => File.WriteAllBytes(System.IO.Path.Combine(Path, file), bytes);

    public void Delete(string file) => File.Delete(System.IO.Path.Combine(Path, file));

    /// <summary>Parses a JSON file, lets <paramref name="edit"/> change it, and writes it back.</summary>
    public void EditJson(string file, Action<JsonObject> edit)
    {
        string path = System.IO.Path.Combine(Path, file);
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(root);
        File.WriteAllBytes(path, FixtureJson.Bytes(root));
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
