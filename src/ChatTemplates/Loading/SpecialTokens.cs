using System.Text.Json;
using System.Text.Json.Nodes;
using Peft.ChatTemplates.Jinja.Runtime;

namespace Peft.ChatTemplates.Loading;

/// <summary>
/// The special tokens a template sees as variables, as transformers' <c>special_tokens_map</c> gives them: each of
/// bos/eos/unk/sep/pad/cls/mask_token that is set (as a string, or an AddedToken object's "content"), and the
/// additional_special_tokens list when non-empty. <c>tokenizer_config.json</c> wins; <c>special_tokens_map.json</c>
/// fills what it leaves unset.
/// </summary>
internal static class SpecialTokens
{
    private const string MapFile = "special_tokens_map.json";

    private static readonly string[] Names =
        ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"];

    public static IReadOnlyList<KeyValuePair<string, object?>> Read(string directory)
    {
        var config = JsonFile.ReadObject(directory, TemplateSources.ConfigFile);
        var map = JsonFile.ReadObject(directory, MapFile);
        var tokens = new List<KeyValuePair<string, object?>>();
        foreach (var name in Names)
        {
            var value = Token(config?[name], name, TemplateSources.ConfigFile) ?? Token(map?[name], name, MapFile);
            if (!string.IsNullOrEmpty(value))
            {
                tokens.Add(new(name, value));
            }
        }

        var additional = Additional(config) ?? Additional(map);
        if (additional is { Count: > 0 })
        {
            tokens.Add(new("additional_special_tokens", additional));
        }

        return tokens;
    }

    private static string? Token(JsonNode? node, string field, string file) => node switch
    {
        null => null,
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        JsonObject added when added["content"] is JsonValue content && content.GetValueKind() == JsonValueKind.String =>
            content.GetValue<string>(),
        _ => throw new ChatTemplateException($"{file}: {field} must be a string or an object with a string \"content\""),
    };

    private static List<object?>? Additional(JsonObject? file)
    {
        if (file?["additional_special_tokens"] is not JsonArray list)
        {
            return null;
        }

        return [.. list.Select((item, i) => (object?)Token(item, $"additional_special_tokens[{i}]", TemplateSources.ConfigFile))];
    }
}
