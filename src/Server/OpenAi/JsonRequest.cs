using System.Text.Json;
using System.Text.Json.Nodes;
using Peft.Server.Errors;

namespace Peft.Server.OpenAi;

/// <summary>
/// A request body as a JSON object, read field by field: each accessor names the field and what it must be when a
/// value does not fit (400, with OpenAI's <c>param</c>). Absent and <c>null</c> are the same: unset. Unknown fields
/// are ignored, as OpenAI-compatible servers do.
/// </summary>
internal sealed class JsonRequest(JsonObject body)
{
    public JsonObject Body { get; } = body;

    public static async Task<JsonRequest> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        JsonNode? node;
        try
        {
            node = await JsonNode.ParseAsync(request.Body, cancellationToken: cancellationToken);
        }
        catch (JsonException e)
        {
            throw ApiErrors.Invalid($"the request body is not valid JSON: {e.Message}");
        }
        return node is JsonObject body ? new JsonRequest(body) : throw ApiErrors.Invalid("the request body must be a JSON object");
    }

    public JsonNode? this[string name] => Body[name];

    public bool Has(string name) => Body[name] is not null;

    public string? String(string name) => Body[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        var other => throw Wrong(name, "a string", other),
    };

    public string RequiredString(string name) => String(name) ?? throw ApiErrors.Invalid($"'{name}' is required", name);

    public bool? Bool(string name) => Body[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        var other => throw Wrong(name, "true or false", other),
    };

    public double? Number(string name) => Body[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.GetValue<double>(),
        var other => throw Wrong(name, "a number", other),
    };

    public float? Float(string name) => Number(name) is { } value ? (float)value : null;

    /// <summary>An integer (a number with no fraction: JavaScript clients send 2.0 for 2).</summary>
    public long? Integer(string name) => Number(name) switch
    {
        null => null,
        var value when Math.Floor(value.Value) == value && Math.Abs(value.Value) <= 9.007199254740992e15 => (long)value,
        var value => throw ApiErrors.Invalid($"'{name}' must be an integer, not {value}", name),
    };

    public JsonObject? Object(string name) => Body[name] switch
    {
        null => null,
        JsonObject o => o,
        var other => throw Wrong(name, "an object", other),
    };

    public JsonArray? Array(string name) => Body[name] switch
    {
        null => null,
        JsonArray a => a,
        var other => throw Wrong(name, "an array", other),
    };

    /// <summary>A string or a list of strings (OpenAI's <c>stop</c>).</summary>
    public IReadOnlyList<string> Strings(string name) => Body[name] switch
    {
        null => [],
        JsonValue v when v.GetValueKind() == JsonValueKind.String => [v.GetValue<string>()],
        JsonArray a => [.. a.Select((item, i) => item is JsonValue s && s.GetValueKind() == JsonValueKind.String
            ? s.GetValue<string>()
            : throw Wrong($"{name}[{i}]", "a string", item))],
        var other => throw Wrong(name, "a string or an array of strings", other),
    };

    /// <summary>An array of integers (token ids).</summary>
    public static IReadOnlyList<int> Ints(JsonArray array, string name) =>
        [.. array.Select((item, i) => item is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out int id)
            ? id
            : throw Wrong($"{name}[{i}]", "an integer", item))];

    public static ApiException Wrong(string name, string expected, JsonNode? found) =>
        ApiErrors.Invalid($"'{name}' must be {expected}, not {Describe(found)}", name.Split('[')[0]);

    private static string Describe(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "an object",
        JsonArray => "an array",
        _ => node.GetValueKind() switch
        {
            JsonValueKind.String => "a string",
            JsonValueKind.Number => $"the number {node.ToJsonString()}",
            JsonValueKind.True or JsonValueKind.False => $"{node.ToJsonString()}",
            _ => node.ToJsonString(),
        },
    };
}
