using System.Text.Json;

namespace Peft.Runtime.Tokenization;

/// <summary>
/// A JSON value together with the file and path it came from, so that every error about a Hugging Face config
/// names both (<c>tokenizer.json: model.merges[12]: ...</c>). Missing and JSON-null members read as absent.
/// </summary>
internal readonly record struct ConfigNode(JsonElement Element, string File, string Path)
{
    public static ConfigNode Load(string path)
    {
        string file = System.IO.Path.GetFileName(path);
        try
        {
            using var document = JsonDocument.Parse(System.IO.File.ReadAllBytes(path));
            // Clone detaches the tree from the pooled document buffers so the node outlives the using.
            return new ConfigNode(document.RootElement.Clone(), file, "$");
        }
        catch (JsonException e)
        {
            throw new TokenizerLoadException($"{file} is not valid JSON: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TokenizerLoadException($"{file} could not be read: {e.Message}", e);
        }
    }

    public JsonValueKind Kind => Element.ValueKind;

    public TokenizerLoadException Error(string message) => new($"{File}: {Path}: {message}");

    /// <summary>The member, or null when it is missing or JSON null.</summary>
    public ConfigNode? Optional(string name)
    {
        if (Element.ValueKind != JsonValueKind.Object)
            throw Error($"expected an object, found {Element.ValueKind}");
        return Element.TryGetProperty(name, out JsonElement value) && value.ValueKind != JsonValueKind.Null
            ? new ConfigNode(value, File, Child(name))
            : null;
    }

    public ConfigNode Required(string name) =>
        Optional(name) ?? throw new TokenizerLoadException($"{File}: {Child(name)}: required field is missing");

    public string? OptionalString(string name) => Optional(name)?.GetString();

    public bool? OptionalBoolean(string name) => Optional(name)?.GetBoolean();

    public string GetString() =>
        Element.ValueKind == JsonValueKind.String ? Element.GetString()! : throw Error($"expected a string, found {Element.ValueKind}");

    public bool GetBoolean() => Element.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw Error($"expected true or false, found {Element.ValueKind}"),
    };

    public int GetInt32() =>
        Element.ValueKind == JsonValueKind.Number && Element.TryGetInt32(out int value)
            ? value
            : throw Error($"expected a 32-bit integer, found {Element.GetRawText()}");

    public double GetDouble() =>
        Element.ValueKind == JsonValueKind.Number ? Element.GetDouble() : throw Error($"expected a number, found {Element.ValueKind}");

    public IEnumerable<ConfigNode> Items()
    {
        if (Element.ValueKind != JsonValueKind.Array)
            throw Error($"expected an array, found {Element.ValueKind}");
        int index = 0;
        foreach (JsonElement item in Element.EnumerateArray())
            yield return new ConfigNode(item, File, $"{Path}[{index++}]");
    }

    public IEnumerable<(string Name, ConfigNode Value)> Properties()
    {
        if (Element.ValueKind != JsonValueKind.Object)
            throw Error($"expected an object, found {Element.ValueKind}");
        foreach (JsonProperty property in Element.EnumerateObject())
            yield return (property.Name, new ConfigNode(property.Value, File, Child(property.Name)));
    }

    private string Child(string name) => Path == "$" ? name : $"{Path}.{name}";
}
