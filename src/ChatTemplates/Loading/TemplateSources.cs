using System.Text.Json;
using System.Text.Json.Nodes;

namespace Peft.ChatTemplates.Loading;

/// <summary>
/// Finds a model directory's chat templates with transformers' precedence: <c>chat_template.jinja</c> replaces
/// whatever <c>tokenizer_config.json</c> declares; <c>additional_chat_templates/NAME.jinja</c> add named ones; a
/// processor's <c>chat_template.json</c> counts only when nothing else declares a template.
/// </summary>
internal static class TemplateSources
{
    public const string ConfigFile = "tokenizer_config.json";
    public const string JinjaFile = "chat_template.jinja";
    public const string ProcessorFile = "chat_template.json";
    public const string AdditionalFolder = "additional_chat_templates";

    public static List<TemplateSource> Read(string directory)
    {
        var templates = new List<TemplateSource>();
        var jinjaPath = Path.Combine(directory, JinjaFile);
        if (File.Exists(jinjaPath))
        {
            templates.Add(new("default", JsonFile.ReadText(jinjaPath, JinjaFile), JinjaFile));
        }
        else if (JsonFile.ReadObject(directory, ConfigFile) is { } config)
        {
            templates.AddRange(FromField(config["chat_template"], ConfigFile));
        }

        var additional = Path.Combine(directory, AdditionalFolder);
        if (Directory.Exists(additional))
        {
            foreach (var path in Directory.EnumerateFiles(additional, "*.jinja").Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileNameWithoutExtension(path);
                var display = $"{AdditionalFolder}/{Path.GetFileName(path)}";
                templates.RemoveAll(t => t.Name == name);
                templates.Add(new(name, JsonFile.ReadText(path, display), display));
            }
        }

        if (templates.Count == 0 && JsonFile.ReadObject(directory, ProcessorFile) is { } processor)
        {
            templates.AddRange(FromField(processor["chat_template"], ProcessorFile));
        }

        return templates;
    }

    /// <summary>A <c>chat_template</c> field: a string, a list of {name, template}, or an object of name to text.</summary>
    private static List<TemplateSource> FromField(JsonNode? field, string file)
    {
        switch (field)
        {
            case null:
                return [];
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                return [new("default", value.GetValue<string>(), file)];
            case JsonArray list:
                return [.. list.Select((item, i) => Named(item, i, file))];
            case JsonObject map:
                return [.. map.Select(pair => new TemplateSource(pair.Key, Text(pair.Value, $"chat_template.{pair.Key}", file), file))];
            default:
                throw new ChatTemplateException(
                    $"{file}: chat_template must be a string or a list of {{\"name\", \"template\"}} objects, not {field.GetValueKind()}");
        }
    }

    private static TemplateSource Named(JsonNode? item, int index, string file)
    {
        if (item is not JsonObject entry)
        {
            throw new ChatTemplateException($"{file}: chat_template[{index}] must be an object with \"name\" and \"template\"");
        }

        var name = Text(entry["name"], $"chat_template[{index}].name", file);
        return new TemplateSource(name, Text(entry["template"], $"chat_template[{index}].template", file), file);
    }

    private static string Text(JsonNode? node, string field, string file) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String
            ? value.GetValue<string>()
            : throw new ChatTemplateException($"{file}: {field} must be a string");
}
