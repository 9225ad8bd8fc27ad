using System.Text;

namespace Peft.ChatTemplates.Jinja.Runtime;

internal static partial class Py
{
    /// <summary>Python's <c>==</c>: numbers across int/float/bool, containers element-wise, the rest by identity.</summary>
    public static bool Equal(object? a, object? b)
    {
        (a, b) = (Plain(a), Plain(b));
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        switch (a, b)
        {
            case (null, _) or (_, null):
                return false;
            case (Undefined, Undefined):
                return true;
            case (string x, string y):
                return string.Equals(x, y, StringComparison.Ordinal);
            case (double or long or bool, double or long or bool):
                return IsIntegral(a) && IsIntegral(b) ? AsLong(a) == AsLong(b) : AsDouble(a) == AsDouble(b);
            case (List<object?> x, List<object?> y):
                return SequenceEqual(x, y);
            case (PyTuple x, PyTuple y):
                return SequenceEqual(x.Items, y.Items);
            case (PyDict x, PyDict y):
                return DictEqual(x, y);
            case (PyRange x, PyRange y):
                return SequenceEqual([.. x.Enumerate()], [.. y.Enumerate()]);
            default:
                return false;
        }
    }

    private static bool SequenceEqual(IReadOnlyList<object?> x, IReadOnlyList<object?> y)
    {
        if (x.Count != y.Count)
        {
            return false;
        }

        for (var i = 0; i < x.Count; i++)
        {
            if (!Equal(x[i], y[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool DictEqual(PyDict x, PyDict y) =>
        x.Count == y.Count && x.Entries.All(e => y.TryGet(e.Key, out var other) && Equal(e.Value, other));

    /// <summary>Python's <c>&lt;</c> (and, with the operands swapped, <c>&gt;</c>).</summary>
    public static bool Less(object? a, object? b, string op = "<")
    {
        (a, b) = (Plain(a), Plain(b));
        ThrowIfUndefined(a, b);
        switch (a, b)
        {
            case (double or long or bool, double or long or bool):
                return IsIntegral(a) && IsIntegral(b) ? AsLong(a) < AsLong(b) : AsDouble(a) < AsDouble(b);
            case (string x, string y):
                return CompareCodePoints(x, y) < 0;
            case (List<object?> x, List<object?> y):
                return SequenceLess(x, y, op);
            case (PyTuple x, PyTuple y):
                return SequenceLess(x.Items, y.Items, op);
            default:
                throw TemplateError.TypeError(
                    $"'{op}' not supported between instances of '{TypeName(a)}' and '{TypeName(b)}'");
        }
    }

    /// <summary>Python's <c>&lt;=</c>; for the types Python orders this is "not greater".</summary>
    public static bool LessOrEqual(object? a, object? b, string op = "<=")
    {
        ThrowIfUndefined(a, b);
        if (a is List<object?> or PyTuple && b is List<object?> or PyTuple)
        {
            return Equal(a, b) || Less(a, b, op);
        }

        if (a is double da && double.IsNaN(da) || b is double db && double.IsNaN(db))
        {
            return false;
        }

        return !Less(b, a, op);
    }

    private static bool SequenceLess(IReadOnlyList<object?> x, IReadOnlyList<object?> y, string op)
    {
        var count = Math.Min(x.Count, y.Count);
        for (var i = 0; i < count; i++)
        {
            if (!Equal(x[i], y[i]))
            {
                return Less(x[i], y[i], op);
            }
        }

        return x.Count < y.Count;
    }

    /// <summary>Orders strings by Unicode code point, as Python does (UTF-16 order differs above U+FFFF).</summary>
    public static int CompareCodePoints(string x, string y)
    {
        var i = 0;
        while (i < x.Length && i < y.Length)
        {
            if (x[i] != y[i])
            {
                Rune.DecodeFromUtf16(x.AsSpan(i), out var rx, out _);
                Rune.DecodeFromUtf16(y.AsSpan(i), out var ry, out _);
                return rx.Value.CompareTo(ry.Value);
            }

            i++;
        }

        return x.Length.CompareTo(y.Length);
    }

    /// <summary>Python's <c>item in container</c>.</summary>
    public static bool Contains(object? container, object? item)
    {
        (container, item) = (Plain(container), Plain(item));
        switch (container)
        {
            case string s:
                return item is string needle
                    ? s.Contains(needle, StringComparison.Ordinal)
                    : throw TemplateError.TypeError(
                        $"'in <string>' requires string as left operand, not {TypeName(item)}");
            case List<object?> list:
                return list.Any(x => Equal(x, item));
            case PyTuple tuple:
                return tuple.Items.Any(x => Equal(x, item));
            case PyDict dict:
                return dict.ContainsKey(item);
            case DictView { Kind: DictViewKind.Keys } keys:
                return keys.Dict.ContainsKey(item);
            case DictView or PyRange or PyGenerator or Undefined:
                return Iterate(container).Any(x => Equal(x, item));
            default:
                throw TemplateError.TypeError($"argument of type '{TypeName(container)}' is not iterable");
        }
    }
}
