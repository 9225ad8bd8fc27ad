using System.Text.Json;

namespace Peft.Runtime.Json;

/// <summary>
/// Typed reads of named fields of a Hugging Face JSON file, with errors that name the file and the field.
/// <paramref name="error"/> makes the exception type of the caller's domain (model or adapter loading).
/// </summary>
internal sealed class JsonFields(JsonElement root, string file, Func<string, Exception> error)
{
    public string File { get; } = file;

    public JsonElement Root => root;

    public JsonFields Nested(JsonElement element, string name) => new(element, $"{File} {name}", error);

    public bool Has(string name) => root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    public JsonElement? Raw(string name) => root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    public int Int(string name) => Raw(name) is { } v ? AsInt(v, name) : throw Missing(name);

    public int? OptionalInt(string name) => Raw(name) is { } v ? AsInt(v, name) : null;

    public double Double(string name) => Raw(name) is { } v ? AsDouble(v, name) : throw Missing(name);

    public double? OptionalDouble(string name) => Raw(name) is { } v ? AsDouble(v, name) : null;

    public bool? OptionalBool(string name) => Raw(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => throw Invalid(name, "a boolean"),
    };

    public string? OptionalString(string name) => Raw(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } v => v.GetString(),
        _ => throw Invalid(name, "a string"),
    };

    /// <summary>An int or a list of ints (HF allows both for <c>eos_token_id</c>).</summary>
    public IReadOnlyList<int> IntOrList(string name) => Raw(name) switch
    {
        null => [],
        { ValueKind: JsonValueKind.Array } a => a.EnumerateArray().Select(e => AsInt(e, name)).ToArray(),
        { } v => [AsInt(v, name)],
    };

    public Exception Invalid(string name, string expected) =>
        error($"{File}: field '{name}' must be {expected}, found {root.GetProperty(name).GetRawText()}");

    private Exception Missing(string name) => error($"{File}: required field '{name}' is missing");

    public IReadOnlyList<string>? OptionalStringList(string name) => Raw(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Array } a => a.EnumerateArray()
            .Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Invalid(name, "a list of strings")).ToArray(),
        _ => throw Invalid(name, "a list of strings"),
    };

    /// <summary>An object of name → integer (PEFT's rank_pattern / alpha_pattern), in file order.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> NumberMap(string name) => Raw(name) switch
    {
        null => [],
        { ValueKind: JsonValueKind.Object } o => o.EnumerateObject()
            .Select(p => Finite(p.Value) is { } d ? KeyValuePair.Create(p.Name, d) : throw Invalid(name, "an object of finite numbers"))
            .ToArray(),
        _ => throw Invalid(name, "an object"),
    };

    private int AsInt(JsonElement v, string name) =>
        v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) ? i : throw Invalid(name, "an integer");

    private double AsDouble(JsonElement v, string name) => Finite(v) ?? throw Invalid(name, "a finite number");

    // A number too large for a double (1e400) reads as infinity or fails GetDouble; either way it is the caller's
    // error, named by field, never a fault further in (the NaN/Inf rule of Validation.FiniteNumbers).
    private static double? Finite(JsonElement v) =>
        v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out double d) && double.IsFinite(d) ? d : null;
}
