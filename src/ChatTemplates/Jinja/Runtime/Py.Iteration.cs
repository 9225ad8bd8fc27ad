namespace Peft.ChatTemplates.Jinja.Runtime;

internal static partial class Py
{
    /// <summary>Python's <c>iter()</c>: strings by code point, dicts by key, undefined as empty.</summary>
    public static IEnumerable<object?> Iterate(object? value) => value switch
    {
        string s => PyStrings.Characters(s),
        Markup m => PyStrings.Characters(m.Value),
        List<object?> list => list,
        PyTuple tuple => tuple.Items,
        PyDict dict => dict.Keys,
        DictView view => view.Enumerate(),
        PyRange range => range.Enumerate(),
        PyGenerator generator => generator.Drain(),
        Undefined => [],
        _ => throw TemplateError.TypeError($"'{TypeName(value)}' object is not iterable"),
    };

    /// <summary>Python's <c>list(value)</c>: a fresh list of what iteration yields.</summary>
    public static List<object?> ToList(object? value) => [.. Iterate(value)];

    /// <summary>Python's <c>len()</c>; strings count code points.</summary>
    public static long Length(object? value) => value switch
    {
        string s => PyStrings.CodePointCount(s),
        Markup m => PyStrings.CodePointCount(m.Value),
        List<object?> list => list.Count,
        PyTuple tuple => tuple.Count,
        PyDict dict => dict.Count,
        DictView view => view.Dict.Count,
        PyRange range => range.Count,
        Undefined => 0,
        _ => throw TemplateError.TypeError($"object of type '{TypeName(value)}' has no len()"),
    };

    /// <summary>Python's <c>reversed()</c>, which needs a sequence: generators are refused.</summary>
    public static IEnumerable<object?> Reversed(object? value) => value switch
    {
        string or Markup => Enumerable.Reverse(PyStrings.Characters(Py.Str(value)).ToList()),
        List<object?> list => Enumerable.Reverse([.. list]),
        PyTuple tuple => tuple.Items.Reverse(),
        PyDict dict => dict.Keys.Reverse(),
        DictView view => view.Enumerate().Reverse(),
        PyRange range => range.Enumerate().Reverse(),
        Undefined => [],
        _ => throw TemplateError.TypeError($"'{TypeName(value)}' object is not reversible"),
    };
}
