using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Peft.ChatTemplates.Jinja.Runtime;

/// <summary>
/// JSON to the Python values templates see, as <c>json.loads</c> would produce them: objects become dicts in key
/// order, numbers written with a fraction or exponent become floats and the rest ints.
/// </summary>
internal static class PyValues
{
    public static object? FromJson(JsonNode? node) => node switch
    {
        null => null,
        JsonObject obj => FromObject(obj),
        JsonArray array => array.Select(FromJson).ToList(),
        JsonValue value => FromScalar(value),
        _ => throw new ArgumentException($"unsupported JSON node {node.GetType().Name}", nameof(node)),
    };

    private static PyDict FromObject(JsonObject obj)
    {
        var dict = new PyDict();
        foreach (var (key, value) in obj)
        {
            dict.Set(key, FromJson(value));
        }

        return dict;
    }

    public static object? FromScalar(JsonValue value)
    {
        if (value.TryGetValue<JsonElement>(out var element))
        {
            return FromElement(element);
        }

        if (value.TryGetValue<string>(out var text))
        {
            return text;
        }

        if (value.TryGetValue<bool>(out var flag))
        {
            return flag;
        }

        if (value.TryGetValue<long>(out var integer))
        {
            return integer;
        }

        if (value.TryGetValue<double>(out var number))
        {
            return number;
        }

        // Any other CLR number (int, decimal, float...): read it back through its JSON text.
        return FromElement(JsonSerializer.SerializeToElement(value));
    }

    private static object? FromElement(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => Number(element.GetRawText()),
        JsonValueKind.Array => element.EnumerateArray().Select(FromElement).ToList(),
        _ => FromObject(JsonObject.Create(element)!),
    };

    private static object Number(string raw)
    {
        if (raw.AsSpan().IndexOfAny('.', 'e', 'E') < 0 && long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return integer;
        }

        return double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture);
    }
}
