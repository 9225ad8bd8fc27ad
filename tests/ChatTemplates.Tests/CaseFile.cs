using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Peft.ChatTemplates.Tests;

/// <summary>
/// A JSON file of template cases under Cases/: each has a template, a context, lexer options, and the outcome Python
/// jinja2 produced (tools/render_expected.py): <c>expected</c> text or an <c>expected_error</c> "Type: message".
/// </summary>
internal static class CaseFile
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Cases");
    private static readonly ConcurrentDictionary<string, Lazy<JsonArray>> Files = new(StringComparer.Ordinal);

    /// <summary>The file's cases, parsed once per test run; callers read them and never change them.</summary>
    public static JsonArray Load(string file) => Files.GetOrAdd(file, name => new Lazy<JsonArray>(() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, name)))!["cases"]!.AsArray())).Value;

    public static TheoryData<string> Names(string file)
    {
        var data = new TheoryData<string>();
        foreach (var item in Load(file))
        {
            data.Add((string)item!["name"]!);
        }

        return data;
    }

    public static JsonObject Find(string file, string name) =>
        Load(file).Single(c => (string)c!["name"]! == name)!.DeepClone().AsObject();
}
