using System.Text.Json.Nodes;

namespace Peft.ChatTemplates.Tests;

/// <summary>
/// A JSON file of template cases under Cases/: each has a template, a context, lexer options, and the outcome Python
/// jinja2 produced (tools/render_expected.py): <c>expected</c> text or an <c>expected_error</c> "Type: message".
/// </summary>
internal static class CaseFile
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Cases");

    public static JsonArray Load(string file)
    {
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, file)))!;
        return root["cases"]!.AsArray();
    }

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
        Load(file).Single(c => (string)c!["name"]! == name)!.AsObject();
}
