using System.Text.Json.Nodes;
using Peft.ChatTemplates.Jinja.Runtime;

namespace Peft.ChatTemplates.Tests;

/// <summary>
/// Case contexts as Python values, with the peer's JavaScript test functions ({"$function": name}) supplied under
/// the same names the Python renderer uses (tools/render_expected.py).
/// </summary>
internal static class TestValues
{
    public static object? FromJson(JsonNode? node) => node switch
    {
        JsonObject { Count: 1 } obj when obj["$function"] is { } name => Function((string)name!),
        JsonObject obj => Dict(obj),
        JsonArray array => array.Select(FromJson).ToList(),
        _ => PyValues.FromJson(node),
    };

    private static PyDict Dict(JsonObject obj)
    {
        var dict = new PyDict();
        foreach (var (key, value) in obj)
        {
            dict.Set(key, FromJson(value));
        }

        return dict;
    }

    private static BuiltinFunction Function(string name) => name switch
    {
        "add" => new(name, a => Py.Add(a.Positional[0], a.Positional[1])),
        "count_args" => new(name, a => (long)a.Positional.Count),
        "join_args" => new(name, a => string.Concat(a.Positional.Cast<string>())),
        "join_args_underscore" => new(name, a => string.Join('_', a.Positional.Cast<string>())),
        "noop" => new(name, _ => null),
        _ => throw new ArgumentException($"unknown test function {name}", nameof(name)),
    };
}
