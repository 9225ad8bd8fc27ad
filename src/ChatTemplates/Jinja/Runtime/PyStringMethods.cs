namespace Peft.ChatTemplates.Jinja.Runtime;

/// <summary>Python's <c>str</c> methods, with Python's argument rules (most take no keyword arguments).</summary>
internal static class PyStringMethods
{
    private delegate object? Method(string self, CallArguments args);

    private static readonly Dictionary<string, Method> Methods = new()
    {
        ["upper"] = (s, a) => NoArgs(a, "upper", s.ToUpperInvariant()),
        ["lower"] = (s, a) => NoArgs(a, "lower", s.ToLowerInvariant()),
        ["casefold"] = (s, a) => NoArgs(a, "casefold", s.ToLowerInvariant()),
        ["title"] = (s, a) => NoArgs(a, "title", PyStrings.Title(s)),
        ["capitalize"] = (s, a) => NoArgs(a, "capitalize", PyStrings.Capitalize(s)),
        ["swapcase"] = (s, a) => NoArgs(a, "swapcase", string.Concat(s.Select(c =>
            char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)))),
        ["strip"] = (s, a) => Strip(s, a, "strip", left: true, right: true),
        ["lstrip"] = (s, a) => Strip(s, a, "lstrip", left: true, right: false),
        ["rstrip"] = (s, a) => Strip(s, a, "rstrip", left: false, right: true),
        ["split"] = (s, a) => Split(s, a, "split", PyStrings.Split),
        ["rsplit"] = (s, a) => Split(s, a, "rsplit", PyStrings.RightSplit),
        ["splitlines"] = (s, a) =>
        {
            var bound = a.Bind("splitlines", "keepends");
            return PyStrings.SplitLines(s, Py.Truthy(bound.Get(0, false))).Cast<object?>().ToList();
        },
        ["startswith"] = (s, a) => Affix(s, a, "startswith", (x, p) => x.StartsWith(p, StringComparison.Ordinal)),
        ["endswith"] = (s, a) => Affix(s, a, "endswith", (x, p) => x.EndsWith(p, StringComparison.Ordinal)),
        ["replace"] = (s, a) =>
        {
            var p = a.PositionalOnly("replace", 3);
            if (p.Count < 2)
            {
                throw TemplateError.TypeError($"replace expected at least 2 arguments, got {p.Count}");
            }

            return PyStrings.Replace(s, Text(p[0], "replace"), Text(p[1], "replace"),
                p.Count > 2 ? Py.Index(p[2], "count") : -1);
        },
        ["find"] = (s, a) => Find(s, a, "find", last: false, fail: false),
        ["rfind"] = (s, a) => Find(s, a, "rfind", last: true, fail: false),
        ["index"] = (s, a) => Find(s, a, "index", last: false, fail: true),
        ["rindex"] = (s, a) => Find(s, a, "rindex", last: true, fail: true),
        ["count"] = (s, a) =>
        {
            var p = a.PositionalOnly("count", 1);
            var needle = Text(p.Count > 0 ? p[0] : null, "count");
            return needle.Length == 0
                ? PyStrings.CodePointCount(s) + 1L
                : (long)PyStrings.Split(s, needle, -1).Count - 1;
        },
        ["join"] = (s, a) =>
        {
            var p = a.PositionalOnly("join", 1);
            var items = Py.Iterate(p.Count > 0 ? p[0] : null).Select((item, i) => item as string ?? throw
                TemplateError.TypeError($"sequence item {i}: expected str instance, {Py.TypeName(item)} found"));
            return string.Join(s, items);
        },
        ["format"] = (s, a) => PyStrFormat.Format(s, a),
        ["removeprefix"] = (s, a) =>
        {
            var prefix = Text(Arg(a.PositionalOnly("removeprefix", 1), 0), "removeprefix");
            return s.StartsWith(prefix, StringComparison.Ordinal) ? s[prefix.Length..] : s;
        },
        ["removesuffix"] = (s, a) =>
        {
            var suffix = Text(Arg(a.PositionalOnly("removesuffix", 1), 0), "removesuffix");
            return suffix.Length > 0 && s.EndsWith(suffix, StringComparison.Ordinal) ? s[..^suffix.Length] : s;
        },
        ["partition"] = (s, a) => Partition(s, a, "partition", last: false),
        ["rpartition"] = (s, a) => Partition(s, a, "rpartition", last: true),
        ["center"] = (s, a) => Pad(s, a, "center", (width, fill) =>
        {
            var total = width - s.Length;
            var left = (total / 2) + (total & width & 1);
            return new string(fill, left) + s + new string(fill, total - left);
        }),
        ["ljust"] = (s, a) => Pad(s, a, "ljust", (width, fill) => s.PadRight(width, fill)),
        ["rjust"] = (s, a) => Pad(s, a, "rjust", (width, fill) => s.PadLeft(width, fill)),
        ["zfill"] = (s, a) =>
        {
            var width = (int)Py.Index(Arg(a.PositionalOnly("zfill", 1), 0), "width");
            if (s.Length >= width)
            {
                return s;
            }

            var signed = s.Length > 0 && s[0] is '+' or '-';
            return signed ? s[0] + s[1..].PadLeft(width - 1, '0') : s.PadLeft(width, '0');
        },
        ["isalpha"] = (s, a) => NoArgs(a, "isalpha", s.Length > 0 && s.All(char.IsLetter)),
        ["isalnum"] = (s, a) => NoArgs(a, "isalnum", s.Length > 0 && s.All(char.IsLetterOrDigit)),
        ["isdigit"] = (s, a) => NoArgs(a, "isdigit", s.Length > 0 && s.All(char.IsDigit)),
        ["isdecimal"] = (s, a) => NoArgs(a, "isdecimal", s.Length > 0 && s.All(char.IsDigit)),
        ["isnumeric"] = (s, a) => NoArgs(a, "isnumeric", s.Length > 0 && s.All(char.IsNumber)),
        ["isspace"] = (s, a) => NoArgs(a, "isspace", s.Length > 0 && s.All(PyStrings.IsWhitespace)),
        ["islower"] = (s, a) => NoArgs(a, "islower", PyStrings.IsLower(s)),
        ["isupper"] = (s, a) => NoArgs(a, "isupper", PyStrings.IsUpper(s)),
        ["istitle"] = (s, a) => NoArgs(a, "istitle", s.Any(char.IsLetter) && PyStrings.Title(s) == s),
        ["isascii"] = (s, a) => NoArgs(a, "isascii", s.All(char.IsAscii)),
    };

    public static Func<object?, CallArguments, object?>? Find(string name) =>
        Methods.TryGetValue(name, out var method) ? (self, args) => method((string)self!, args) : null;

    private static object? NoArgs(CallArguments args, string name, object? result)
    {
        args.PositionalOnly(name, 0);
        return result;
    }

    private static object? Arg(IReadOnlyList<object?> arguments, int index) =>
        index < arguments.Count ? arguments[index] : null;

    private static string Text(object? value, string method) => value as string ?? throw TemplateError.TypeError(
        $"{method}() argument must be str, not {Py.TypeName(value)}");

    private static object? Strip(string s, CallArguments args, string name, bool left, bool right)
    {
        var p = args.PositionalOnly(name, 1);
        var chars = p.Count == 0 || p[0] is null ? null : Text(p[0], name);
        return PyStrings.Strip(s, chars, left, right);
    }

    private static object? Split(string s, CallArguments args, string name, Func<string, string?, long, List<object?>> split)
    {
        var bound = args.Bind(name, "sep", "maxsplit");
        var separator = bound.Get(0, null);
        return split(
            s,
            separator is null ? null : Text(separator, name),
            bound.Has(1) ? Py.Index(bound[1], "maxsplit") : -1);
    }

    private static object? Affix(string s, CallArguments args, string name, Func<string, string, bool> test)
    {
        var p = args.PositionalOnly(name, 3);
        if (p.Count == 0)
        {
            throw TemplateError.TypeError($"{name}() takes at least 1 argument (0 given)");
        }

        var (start, end) = Window(s, p, 1);
        var target = s[start..end];
        return p[0] switch
        {
            string affix => test(target, affix),
            PyTuple tuple => tuple.Items.Any(item => test(target, Text(item, name))),
            _ => throw TemplateError.TypeError(
                $"{name} first arg must be str or a tuple of str, not {Py.TypeName(p[0])}"),
        };
    }

    /// <summary>The s[start:end] window that find/startswith-style methods take as optional arguments.</summary>
    private static (int Start, int End) Window(string s, IReadOnlyList<object?> p, int first)
    {
        int Clamp(object? value, int fallback)
        {
            if (value is null)
            {
                return fallback;
            }

            var index = Py.Index(value, "slice indices");
            index = index < 0 ? Math.Max(0, index + s.Length) : Math.Min(index, s.Length);
            return (int)index;
        }

        var start = Clamp(p.Count > first ? p[first] : null, 0);
        var end = Clamp(p.Count > first + 1 ? p[first + 1] : null, s.Length);
        return (start, Math.Max(start, end));
    }

    private static object? Find(string s, CallArguments args, string name, bool last, bool fail)
    {
        var p = args.PositionalOnly(name, 3);
        var needle = Text(p.Count > 0 ? p[0] : null, name);
        var (start, end) = Window(s, p, 1);
        var window = s[start..end];
        var found = last
            ? window.LastIndexOf(needle, StringComparison.Ordinal)
            : window.IndexOf(needle, StringComparison.Ordinal);
        if (found < 0 && fail)
        {
            throw TemplateError.ValueError("substring not found");
        }

        return found < 0 ? -1L : (long)found + start;
    }

    private static object? Partition(string s, CallArguments args, string name, bool last)
    {
        var separator = Text(Arg(args.PositionalOnly(name, 1), 0), name);
        if (separator.Length == 0)
        {
            throw TemplateError.ValueError("empty separator");
        }

        var found = last ? s.LastIndexOf(separator, StringComparison.Ordinal) : s.IndexOf(separator, StringComparison.Ordinal);
        if (found < 0)
        {
            return last ? PyTuple.Of("", "", s) : PyTuple.Of(s, "", "");
        }

        return PyTuple.Of(s[..found], separator, s[(found + separator.Length)..]);
    }

    private static object? Pad(string s, CallArguments args, string name, Func<int, char, string> pad)
    {
        var p = args.PositionalOnly(name, 2);
        var width = (int)Math.Min(Py.Index(p.Count > 0 ? p[0] : null, "width"), Py.MaxStringLength);
        var fill = p.Count > 1 ? Text(p[1], name) : " ";
        if (fill.Length != 1)
        {
            throw TemplateError.TypeError("The fill character must be exactly one character long");
        }

        return width <= s.Length ? s : pad(width, fill[0]);
    }
}
