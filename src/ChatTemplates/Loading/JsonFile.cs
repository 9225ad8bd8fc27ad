using System.Text.Json;
using System.Text.Json.Nodes;

namespace Peft.ChatTemplates.Loading;

/// <summary>Reads a model directory's JSON files; a malformed one fails naming the file and the problem.</summary>
internal static class JsonFile
{
    public static JsonObject? ReadObject(string directory, string fileName)
    {
        var path = Path.Combine(directory, fileName);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new ChatTemplateException($"{fileName}: expected a JSON object");

            // Materialise the properties now, so a duplicate key fails here with the file's name.
            _ = root.Count;
            return root;
        }
        catch (ArgumentException error)
        {
            throw new ChatTemplateException($"{fileName}: not valid JSON ({error.Message})", error);
        }
        catch (JsonException error)
        {
            throw new ChatTemplateException($"{fileName}: not valid JSON ({error.Message})", error);
        }
        catch (IOException error)
        {
            throw new ChatTemplateException($"{fileName}: cannot be read ({error.Message})", error);
        }
    }

    public static string ReadText(string path, string displayName)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new ChatTemplateException($"{displayName}: cannot be read ({error.Message})", error);
        }
    }
}
