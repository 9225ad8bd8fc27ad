using System.Globalization;
using System.Text;

namespace Peft.ChatTemplates.Jinja.Runtime;

/// <summary>
/// Python's <c>json.dumps</c> with the options transformers' <c>tojson</c> filter exposes: ensure_ascii, indent
/// (an int of spaces or a string), separators and sort_keys. Defaults follow Python: ", " and ": " without an indent,
/// "," and ": " with one; non-string dict keys become strings; undefined, generators and other objects are refused.
/// </summary>
internal sealed class PyJson
{
    private readonly StringBuilder _builder = new();
    private readonly bool _ensureAscii;
    private readonly string? _indent;
    private readonly string _itemSeparator;
    private readonly string _keySeparator;
    private readonly bool _sortKeys;

    private PyJson(bool ensureAscii, string? indent, string itemSeparator, string keySeparator, bool sortKeys)
    {
        _ensureAscii = ensureAscii;
        _indent = indent;
        _itemSeparator = itemSeparator;
        _keySeparator = keySeparator;
        _sortKeys = sortKeys;
    }

    public static string Dumps(object? value, bool ensureAscii, object? indent, object? separators, bool sortKeys)
    {
        var indentText = indent switch
        {
            null => null,
            string s => s,
            long or bool => new string(' ', (int)Math.Clamp(Py.AsLong(indent), 0, 1024)),
            _ => throw TemplateError.TypeError($"indent must be an int or a string, not {Py.TypeName(indent)}"),
        };
        var (item, key) = separators switch
        {
            null => (indentText is null ? ", " : ",", ": "),
            List<object?> { Count: 2 } list => (Text(list[0]), Text(list[1])),
            PyTuple { Count: 2 } tuple => (Text(tuple[0]), Text(tuple[1])),
            _ => throw TemplateError.ValueError("separators must be a pair of strings"),
        };
        var writer = new PyJson(ensureAscii, indentText, item, key, sortKeys);
        writer.Write(value, 0);
        return writer._builder.ToString();
    }

    private static string Text(object? value) =>
        value as string ?? throw TemplateError.TypeError($"separator must be str, not {Py.TypeName(value)}");

    private void Write(object? value, int depth)
    {
        if (depth > 512)
        {
            throw new TemplateError(TemplateErrorKind.Runtime, "maximum recursion depth exceeded while encoding a JSON object");
        }

        switch (value)
        {
            case null:
                _builder.Append("null");
                break;
            case bool b:
                _builder.Append(b ? "true" : "false");
                break;
            case long l:
                _builder.Append(l.ToString(CultureInfo.InvariantCulture));
                break;
            case double d:
                _builder.Append(Number(d));
                break;
            case string s:
                WriteString(s);
                break;
            case Markup markup:
                WriteString(markup.Value);
                break;
            case List<object?> list:
                WriteArray(list, depth);
                break;
            case PyTuple tuple:
                WriteArray(tuple.Items, depth);
                break;
            case PyDict dict:
                WriteObject(dict, depth);
                break;
            default:
                throw TemplateError.TypeError($"Object of type {Py.TypeName(value)} is not JSON serializable");
        }

        Py.LimitLength(_builder.Length);
    }

    private static string Number(double d) => double.IsNaN(d)
        ? "NaN"
        : double.IsInfinity(d) ? (d > 0 ? "Infinity" : "-Infinity") : PyFloat.Repr(d);

    private void NewLine(int depth)
    {
        if (_indent is not null)
        {
            _builder.Append('\n');
            for (var i = 0; i < depth; i++)
            {
                _builder.Append(_indent);
            }
        }
    }

    private void WriteArray(IReadOnlyList<object?> items, int depth)
    {
        if (items.Count == 0)
        {
            _builder.Append("[]");
            return;
        }

        _builder.Append('[');
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                _builder.Append(_itemSeparator);
            }

            NewLine(depth + 1);
            Write(items[i], depth + 1);
        }

        NewLine(depth);
        _builder.Append(']');
    }

    private void WriteObject(PyDict dict, int depth)
    {
        if (dict.Count == 0)
        {
            _builder.Append("{}");
            return;
        }

        var entries = dict.Entries.Select(e => (Key: KeyText(e.Key), e.Value)).ToList();
        if (_sortKeys)
        {
            entries = [.. entries.OrderBy(e => e.Key, Comparer<string>.Create(Py.CompareCodePoints))];
        }

        _builder.Append('{');
        for (var i = 0; i < entries.Count; i++)
        {
            if (i > 0)
            {
                _builder.Append(_itemSeparator);
            }

            NewLine(depth + 1);
            WriteString(entries[i].Key);
            _builder.Append(_keySeparator);
            Write(entries[i].Value, depth + 1);
        }

        NewLine(depth);
        _builder.Append('}');
    }

    private static string KeyText(object? key) => key switch
    {
        string s => s,
        Markup markup => markup.Value,
        null => "null",
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => Number(d),
        _ => throw TemplateError.TypeError($"keys must be str, int, float, bool or None, not {Py.TypeName(key)}"),
    };

    private void WriteString(string s)
    {
        _builder.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"':
                    _builder.Append("\\\"");
                    break;
                case '\\':
                    _builder.Append("\\\\");
                    break;
                case '\n':
                    _builder.Append("\\n");
                    break;
                case '\r':
                    _builder.Append("\\r");
                    break;
                case '\t':
                    _builder.Append("\\t");
                    break;
                case '\b':
                    _builder.Append("\\b");
                    break;
                case '\f':
                    _builder.Append("\\f");
                    break;
                default:
                    if (c < ' ' || (_ensureAscii && c > '~'))
                    {
                        _builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    }
                    else
                    {
                        _builder.Append(c);
                    }

                    break;
            }
        }

        _builder.Append('"');
    }
}
