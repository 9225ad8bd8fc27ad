using System.Globalization;
using System.Text;

namespace Peft.ChatTemplates.Jinja.Runtime;

/// <summary>The conversions Python's two formatting languages share: integer bases, signs, padding.</summary>
internal static class PyNumberText
{
    public static string Integer(long value, char type) => type switch
    {
        'x' => Convert.ToString(Math.Abs(value), 16),
        'X' => Convert.ToString(Math.Abs(value), 16).ToUpperInvariant(),
        'o' => Convert.ToString(Math.Abs(value), 8),
        'b' => Convert.ToString(Math.Abs(value), 2),
        _ => value == long.MinValue
            ? value.ToString(CultureInfo.InvariantCulture)[1..]
            : Math.Abs(value).ToString(CultureInfo.InvariantCulture),
    };

    public static string Float(double value, char type, int? precision, bool alternate)
    {
        var magnitude = Math.Abs(value);
        return type switch
        {
            'f' or 'F' => PyFloat.FormatFixed(magnitude, precision ?? 6),
            'e' or 'E' => PyFloat.FormatExponent(magnitude, precision ?? 6, type == 'E'),
            'g' or 'G' => PyFloat.FormatGeneral(magnitude, precision ?? 6, type == 'G', alternate),
            '%' => PyFloat.FormatFixed(magnitude * 100, precision ?? 6) + "%",
            _ => precision is null ? PyFloat.Repr(magnitude) : PyFloat.FormatGeneral(magnitude, precision.Value, false, false),
        };
    }

    /// <summary>Inserts a thousands separator every three digits of the integer part.</summary>
    public static string Group(string digits, char separator)
    {
        var end = digits.IndexOfAny(['.', 'e', 'E', '%']);
        var integer = end < 0 ? digits : digits[..end];
        var builder = new StringBuilder();
        for (var i = 0; i < integer.Length; i++)
        {
            if (i > 0 && (integer.Length - i) % 3 == 0)
            {
                builder.Append(separator);
            }

            builder.Append(integer[i]);
        }

        return end < 0 ? builder.ToString() : builder + digits[end..];
    }

    /// <summary>Pads a signed number to a width: '&lt;', '&gt;', '^' around it, '=' (and 0-padding) after the sign.</summary>
    public static string Pad(string sign, string body, int width, char align, char fill)
    {
        var padding = width - sign.Length - body.Length;
        if (padding <= 0)
        {
            return sign + body;
        }

        return align switch
        {
            '<' => sign + body + new string(fill, padding),
            '^' => new string(fill, padding / 2) + sign + body + new string(fill, padding - (padding / 2)),
            '=' => sign + new string(fill, padding) + body,
            _ => new string(fill, padding) + sign + body,
        };
    }
}
