using System.Text;
using System.Text.RegularExpressions;
using Peft.ChatTemplates.Jinja.Runtime;

namespace Peft.ChatTemplates.Jinja.Filters;

/// <summary>Filters that read their input as text (jinja2's soft_str: undefined reads as "").</summary>
internal static partial class StringFilters
{
    [GeneratedRegex(@"([-\s({\[<]+)")]
    private static partial Regex WordBeginning();

    [GeneratedRegex(@"\w+")]
    private static partial Regex Word();

    [GeneratedRegex(@"<!--.*?-->|<[^>]*>", RegexOptions.Singleline)]
    private static partial Regex Tags();

    public static void Register(Dictionary<string, Filter> filters)
    {
        filters["upper"] = (v, a) => Text(v, a, "upper").ToUpperInvariant();
        filters["lower"] = (v, a) => Text(v, a, "lower").ToLowerInvariant();
        filters["capitalize"] = (v, a) => PyStrings.Capitalize(Text(v, a, "capitalize"));
        filters["title"] = (v, a) => Title(Text(v, a, "title"));
        filters["string"] = (v, a) => v is Markup ? NoArguments(v, a, "string") : Text(v, a, "string");
        filters["safe"] = (v, a) => v is Markup ? NoArguments(v, a, "safe") : new Markup(Text(v, a, "safe"));
        filters["escape"] = (v, a) => Markup.Escape(NoArguments(v, a, "escape"));
        filters["e"] = filters["escape"];
        filters["forceescape"] = filters["escape"];
        filters["trim"] = (v, a) =>
        {
            var chars = a.Bind("trim", "chars").Get(0, null);
            return PyStrings.Strip(Py.Str(v), chars is null ? null : Py.Str(chars), left: true, right: true);
        };
        filters["replace"] = (v, a) =>
        {
            var b = a.Bind("replace", "old", "new", "count");
            var count = b.Get(2, null);
            return PyStrings.Replace(Py.Str(v), Py.Str(b.Required(0)), Py.Str(b.Required(1)),
                count is null ? -1 : Py.Index(count, "count"));
        };
        filters["center"] = (v, a) =>
        {
            var width = (int)Py.Index(a.Bind("center", "width").Get(0, 80L), "width");
            return PyStringMethods.Find("center")!(Py.Str(v), CallArguments.Of((long)width));
        };
        filters["indent"] = Indent;
        filters["truncate"] = Truncate;
        filters["wordcount"] = (v, a) => (long)Word().Count(Text(v, a, "wordcount"));
        filters["striptags"] = (v, a) =>
            string.Join(' ', PyStrings.Split(Tags().Replace(Text(v, a, "striptags"), ""), null, -1).Cast<string>());
        filters["format"] = (v, a) =>
        {
            if (a.Positional.Count > 0 && a.Named.Count > 0)
            {
                throw new TemplateError(TemplateErrorKind.Runtime, "can't handle positional and keyword arguments at the same time");
            }

            object? values = a.Named.Count > 0 ? Mapping(a.Named) : new PyTuple(a.Positional);
            return PyPercentFormat.Format(Py.Str(v), values);
        };
    }

    private static object? NoArguments(object? value, CallArguments arguments, string filter)
    {
        arguments.Bind(filter);
        return value;
    }

    private static string Text(object? value, CallArguments arguments, string filter)
    {
        arguments.Bind(filter);
        return Py.Str(value);
    }

    private static PyDict Mapping(IEnumerable<KeyValuePair<string, object?>> pairs)
    {
        var dict = new PyDict();
        foreach (var (key, value) in pairs)
        {
            dict.Set(key, value);
        }

        return dict;
    }

    /// <summary>jinja2's title: words begin after spaces, dashes and opening brackets; the rest is lower-cased.</summary>
    private static string Title(string s) => string.Concat(WordBeginning().Split(s)
        .Where(part => part.Length > 0)
        .Select(part => char.ToUpperInvariant(part[0]) + part[1..].ToLowerInvariant()));

    public static string Escape(string s) => new StringBuilder(s)
        .Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&#34;").Replace("'", "&#39;")
        .ToString();

    /// <summary>indent(width=4, first=False, blank=False): indents every line but the first (and blank ones only if asked).</summary>
    private static object? Indent(object? value, CallArguments arguments)
    {
        var b = arguments.Bind("indent", "width", "first", "blank");
        var width = b.Get(0, 4L);
        var indentation = width as string ?? new string(' ', (int)Math.Max(0, Py.Index(width, "width")));
        var text = value switch
        {
            string or Markup => Py.Str(value),
            Undefined u => throw u.Fail(),
            List<object?> => throw new TemplateError(TemplateErrorKind.Attribute, "'list' object has no attribute 'splitlines'"),
            _ => throw TemplateError.TypeError($"unsupported operand type(s) for +=: '{Py.TypeName(value)}' and 'str'"),
        };
        var lines = PyStrings.SplitLines(text + "\n", keepEnds: false);
        string result;
        if (Py.Truthy(b.Get(2, false)))
        {
            result = string.Join("\n" + indentation, lines);
        }
        else
        {
            result = lines[0];
            if (lines.Count > 1)
            {
                result += "\n" + string.Join("\n", lines.Skip(1).Select(line => line.Length > 0 ? indentation + line : line));
            }
        }

        return Py.Truthy(b.Get(1, false)) ? indentation + result : result;
    }

    private static object? Truncate(object? value, CallArguments arguments)
    {
        var b = arguments.Bind("truncate", "length", "killwords", "end", "leeway");
        var s = Py.Str(value);
        var length = Py.Index(b.Get(0, 255L), "length");
        var end = Py.Str(b.Get(2, "..."));
        var leeway = Py.Index(b.Get(3, null) ?? 5L, "leeway");
        if (length < end.Length || leeway < 0)
        {
            throw new TemplateError(TemplateErrorKind.Runtime, $"expected length >= {end.Length} and leeway >= 0");
        }

        if (s.Length <= length + leeway)
        {
            return s;
        }

        var kept = s[..(int)(length - end.Length)];
        if (Py.Truthy(b.Get(1, false)))
        {
            return kept + end;
        }

        var space = kept.LastIndexOf(' ');
        return (space >= 0 ? kept[..space] : kept) + end;
    }
}
