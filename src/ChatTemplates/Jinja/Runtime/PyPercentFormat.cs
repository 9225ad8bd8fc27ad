using System.Text;

namespace Peft.ChatTemplates.Jinja.Runtime;

/// <summary>Python's printf-style formatting: <c>'%s: %d' % (a, b)</c> and jinja2's <c>format</c> filter.</summary>
internal static class PyPercentFormat
{
    public static string Format(string format, object? arguments)
    {
        var positional = arguments is PyTuple tuple ? tuple.Items : [arguments];
        var mapping = arguments as PyDict;
        var next = 0;
        var builder = new StringBuilder();
        var i = 0;
        while (i < format.Length)
        {
            var c = format[i++];
            if (c != '%')
            {
                builder.Append(c);
                continue;
            }

            if (i >= format.Length)
            {
                throw TemplateError.ValueError("incomplete format");
            }

            object? value;
            string? key = null;
            if (format[i] == '(')
            {
                var close = format.IndexOf(')', i);
                if (close < 0)
                {
                    throw TemplateError.ValueError("incomplete format key");
                }

                key = format[(i + 1)..close];
                i = close + 1;
            }

            var flags = "";
            while (i < format.Length && "-+ #0".Contains(format[i], StringComparison.Ordinal))
            {
                flags += format[i++];
            }

            var width = ReadNumber(format, ref i, positional, ref next);
            int? precision = null;
            if (i < format.Length && format[i] == '.')
            {
                i++;
                precision = ReadNumber(format, ref i, positional, ref next) ?? 0;
            }

            while (i < format.Length && format[i] is 'h' or 'l' or 'L')
            {
                i++;
            }

            if (i >= format.Length)
            {
                throw TemplateError.ValueError("incomplete format");
            }

            var type = format[i++];
            if (type == '%')
            {
                builder.Append('%');
                continue;
            }

            if (key is not null)
            {
                value = mapping is not null
                    ? (mapping.TryGet(key, out var found) ? found : throw new TemplateError(TemplateErrorKind.Runtime, $"KeyError: '{key}'"))
                    : throw TemplateError.TypeError("format requires a mapping");
            }
            else
            {
                value = next < positional.Count
                    ? positional[next++]
                    : throw TemplateError.TypeError("not enough arguments for format string");
            }

            builder.Append(Convert(value, type, flags, width ?? 0, precision));
        }

        // Python skips this check when the argument supports item access (a dict, but also a list).
        if (arguments is not (PyDict or List<object?> or PyRange) && next < positional.Count)
        {
            throw TemplateError.TypeError("not all arguments converted during string formatting");
        }

        return builder.ToString();
    }

    private static int? ReadNumber(string format, ref int i, IReadOnlyList<object?> positional, ref int next)
    {
        if (i < format.Length && format[i] == '*')
        {
            i++;
            return (int)Py.Index(next < positional.Count ? positional[next++] : null, "* wants int");
        }

        var start = i;
        while (i < format.Length && char.IsAsciiDigit(format[i]))
        {
            i++;
        }

        return i > start ? int.Parse(format.AsSpan(start, i - start), System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    private static string Convert(object? value, char type, string flags, int width, int? precision)
    {
        var left = flags.Contains('-', StringComparison.Ordinal);
        var zero = flags.Contains('0', StringComparison.Ordinal) && !left;
        string sign = "";
        string body;
        switch (type)
        {
            case 's' or 'r' or 'a':
                body = type == 's' ? Py.Str(value) : Py.Repr(value);
                if (precision is { } p && p < body.Length)
                {
                    body = body[..p];
                }

                return left ? body.PadRight(width) : body.PadLeft(width);
            case 'd' or 'i' or 'u' or 'x' or 'X' or 'o':
                var integer = value switch
                {
                    long or bool => Py.AsLong(value),
                    double d => (long)Math.Truncate(d),
                    _ => throw TemplateError.TypeError(
                        $"%{type} format: a real number is required, not {Py.TypeName(value)}"),
                };
                sign = SignOf(integer < 0, flags);
                body = PyNumberText.Integer(integer, type);
                if (flags.Contains('#', StringComparison.Ordinal) && type is 'x' or 'X' or 'o')
                {
                    body = (type == 'o' ? "0o" : type == 'x' ? "0x" : "0X") + body;
                }

                break;
            case 'e' or 'E' or 'f' or 'F' or 'g' or 'G':
                if (!Py.IsNumber(value))
                {
                    throw TemplateError.TypeError($"must be real number, not {Py.TypeName(value)}");
                }

                var number = Py.AsDouble(value);
                sign = SignOf(double.IsNegative(number), flags);
                body = PyNumberText.Float(number, type, precision ?? 6, flags.Contains('#', StringComparison.Ordinal));
                break;
            case 'c':
                return value is string s ? s : char.ConvertFromUtf32((int)Py.Index(value, "%c"));
            default:
                throw TemplateError.ValueError($"unsupported format character '{type}'");
        }

        return PyNumberText.Pad(sign, body, width, left ? '<' : zero ? '=' : '>', zero ? '0' : ' ');
    }

    private static string SignOf(bool negative, string flags) =>
        negative ? "-" : flags.Contains('+', StringComparison.Ordinal) ? "+" : flags.Contains(' ', StringComparison.Ordinal) ? " " : "";
}
