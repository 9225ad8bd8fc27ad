using System.Globalization;
using System.Text;

namespace Peft.ChatTemplates.Jinja.Runtime;

/// <summary>
/// Python's <c>str.format</c>: replacement fields with automatic or explicit positions, keyword names,
/// <c>.attr</c> and <c>[key]</c> lookups (through the sandbox's rules), <c>!r</c>/<c>!s</c> and the format
/// mini-language (fill, align, sign, width, grouping, precision, type).
/// </summary>
internal static class PyStrFormat
{
    public static string Format(string format, CallArguments arguments)
    {
        var builder = new StringBuilder();
        var automatic = 0;
        var i = 0;
        while (i < format.Length)
        {
            var c = format[i];
            if (c is '{' or '}' && i + 1 < format.Length && format[i + 1] == c)
            {
                builder.Append(c);
                i += 2;
                continue;
            }

            if (c == '}')
            {
                throw TemplateError.ValueError("Single '}' encountered in format string");
            }

            if (c != '{')
            {
                builder.Append(c);
                i++;
                continue;
            }

            var close = FindClose(format, i);
            var field = format[(i + 1)..close];
            i = close + 1;
            builder.Append(Replace(field, arguments, ref automatic));
        }

        return builder.ToString();
    }

    private static int FindClose(string format, int open)
    {
        var depth = 0;
        for (var i = open; i < format.Length; i++)
        {
            depth += format[i] == '{' ? 1 : format[i] == '}' ? -1 : 0;
            if (depth == 0)
            {
                return i;
            }
        }

        throw TemplateError.ValueError("expected '}' before end of string");
    }

    private static string Replace(string field, CallArguments arguments, ref int automatic)
    {
        var specStart = field.IndexOf(':', StringComparison.Ordinal);
        var spec = specStart >= 0 ? field[(specStart + 1)..] : "";
        var head = specStart >= 0 ? field[..specStart] : field;
        var conversion = '\0';
        var bang = head.IndexOf('!', StringComparison.Ordinal);
        if (bang >= 0)
        {
            conversion = head.Length == bang + 2 ? head[bang + 1] : throw TemplateError.ValueError("invalid conversion");
            head = head[..bang];
        }

        var value = Resolve(head, arguments, ref automatic);
        value = conversion switch
        {
            'r' or 'a' => Py.Repr(value),
            's' => Py.Str(value),
            '\0' => value,
            _ => throw TemplateError.ValueError($"Unknown conversion specifier {conversion}"),
        };

        if (spec.Contains('{', StringComparison.Ordinal))
        {
            spec = Format(spec, arguments);
        }

        return ApplySpec(value, spec);
    }

    private static object? Resolve(string name, CallArguments arguments, ref int automatic)
    {
        var end = name.IndexOfAny(['.', '[']);
        var first = end < 0 ? name : name[..end];
        object? value;
        if (first.Length == 0)
        {
            if (automatic < 0)
            {
                throw TemplateError.ValueError("cannot switch from manual field specification to automatic field numbering");
            }

            value = Positional(arguments, automatic++);
        }
        else if (int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            if (automatic > 0)
            {
                throw TemplateError.ValueError("cannot switch from automatic field numbering to manual field specification");
            }

            automatic = -1;
            value = Positional(arguments, index);
        }
        else
        {
            var named = arguments.Named.FirstOrDefault(n => n.Key == first);
            value = named.Key is null
                ? throw new TemplateError(TemplateErrorKind.Runtime, $"KeyError: '{first}'")
                : named.Value;
        }

        var i = end < 0 ? name.Length : end;
        while (i < name.Length)
        {
            if (name[i] == '.')
            {
                var stop = name.IndexOfAny(['.', '['], i + 1);
                stop = stop < 0 ? name.Length : stop;
                value = Py.GetAttribute(value, name[(i + 1)..stop]);
                i = stop;
            }
            else
            {
                var stop = name.IndexOf(']', i);
                if (stop < 0)
                {
                    throw TemplateError.ValueError("Missing ']' in format string");
                }

                var key = name[(i + 1)..stop];
                value = Py.GetItem(value, long.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var k) ? k : key);
                i = stop + 1;
            }
        }

        return value;
    }

    private static object? Positional(CallArguments arguments, int index) => index < arguments.Positional.Count
        ? arguments.Positional[index]
        : throw new TemplateError(TemplateErrorKind.Index, $"Replacement index {index} out of range for positional args tuple");

    /// <summary>format(value, spec) for str, int, float and bool values.</summary>
    private static string ApplySpec(object? value, string spec)
    {
        var s = FormatSpec.Parse(spec);
        switch (value)
        {
            case string text when s.Type is '\0' or 's':
                if (s.Precision is { } p && p < text.Length)
                {
                    text = text[..p];
                }

                return PyNumberText.Pad("", text, s.Width, s.Align ?? '<', s.Fill);
            case long or bool when s.Type is '\0' or 'd' or 'x' or 'X' or 'o' or 'b' or 'n' or 'c':
                if (value is bool b && s.Type == '\0' && spec.Length == 0)
                {
                    return b ? "True" : "False";
                }

                var integer = Py.AsLong(value);
                var digits = s.Type == 'c' ? char.ConvertFromUtf32((int)integer) : PyNumberText.Integer(integer, s.Type);
                if (s.Alternate && s.Type is 'x' or 'X' or 'o' or 'b')
                {
                    digits = "0" + (s.Type == 'X' ? 'X' : s.Type) + digits;
                }

                return Number(integer < 0, digits, s);
            case double or long or bool when s.Type is '\0' or 'e' or 'E' or 'f' or 'F' or 'g' or 'G' or '%':
                var number = Py.AsDouble(value);
                return Number(double.IsNegative(number), PyNumberText.Float(number, s.Type, s.Precision, s.Alternate), s);
            case null or string or List<object?> or PyTuple or PyDict when spec.Length == 0:
                return Py.Str(value);
            default:
                if (spec.Length == 0)
                {
                    return Py.Str(value);
                }

                throw TemplateError.ValueError(
                    $"Unknown format code '{s.Type}' for object of type '{Py.TypeName(value)}'");
        }
    }

    private static string Number(bool negative, string digits, FormatSpec s)
    {
        var sign = negative ? "-" : s.Sign is '+' or ' ' ? s.Sign.ToString() : "";
        if (s.Grouping != '\0')
        {
            digits = PyNumberText.Group(digits, s.Grouping);
        }

        return PyNumberText.Pad(sign, digits, s.Width, s.Align ?? (s.ZeroPad ? '=' : '>'), s.ZeroPad && s.Align is null ? '0' : s.Fill);
    }

    private sealed record FormatSpec(char Fill, char? Align, char Sign, bool Alternate, bool ZeroPad, int Width,
        char Grouping, int? Precision, char Type)
    {
        public static FormatSpec Parse(string spec)
        {
            var i = 0;
            var fill = ' ';
            char? align = null;
            if (spec.Length >= 2 && spec[1] is '<' or '>' or '^' or '=')
            {
                (fill, align, i) = (spec[0], spec[1], 2);
            }
            else if (spec.Length >= 1 && spec[0] is '<' or '>' or '^' or '=')
            {
                (align, i) = (spec[0], 1);
            }

            var sign = i < spec.Length && spec[i] is '+' or '-' or ' ' ? spec[i++] : '-';
            var alternate = i < spec.Length && spec[i] == '#' && ++i > 0;
            var zero = i < spec.Length && spec[i] == '0' && ++i > 0;
            var width = ReadDigits(spec, ref i) ?? 0;
            var grouping = i < spec.Length && spec[i] is ',' or '_' ? spec[i++] : '\0';
            int? precision = null;
            if (i < spec.Length && spec[i] == '.')
            {
                i++;
                precision = ReadDigits(spec, ref i) ?? throw TemplateError.ValueError("Format specifier missing precision");
            }

            var type = i < spec.Length ? spec[i++] : '\0';
            return i == spec.Length
                ? new FormatSpec(fill, align, sign, alternate, zero, width, grouping, precision, type)
                : throw TemplateError.ValueError("Invalid format specifier");
        }

        private static int? ReadDigits(string spec, ref int i)
        {
            var start = i;
            while (i < spec.Length && char.IsAsciiDigit(spec[i]))
            {
                i++;
            }

            return i > start ? int.Parse(spec.AsSpan(start, i - start), CultureInfo.InvariantCulture) : null;
        }
    }
}
