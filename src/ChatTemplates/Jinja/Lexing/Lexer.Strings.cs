using System.Globalization;
using System.Text;

namespace Peft.ChatTemplates.Jinja.Lexing;

internal sealed partial class Lexer
{
    /// <summary>
    /// A string literal's value, decoded as Python's unicode-escape codec decodes it (jinja2 does exactly that):
    /// \n \t \r \\ \' \" \a \b \f \v, octal \ooo, \xhh, \uhhhh, \Uhhhhhhhh, a backslash-newline continues the line,
    /// and an unknown escape keeps its backslash.
    /// </summary>
    private string Unescape(string body)
    {
        if (!body.Contains('\\', StringComparison.Ordinal))
        {
            return body;
        }

        var builder = new StringBuilder(body.Length);
        for (var i = 0; i < body.Length; i++)
        {
            var c = body[i];
            if (c != '\\' || i + 1 >= body.Length)
            {
                builder.Append(c);
                continue;
            }

            var e = body[++i];
            switch (e)
            {
                case '\n':
                    break;
                case '\\' or '\'' or '"':
                    builder.Append(e);
                    break;
                case 'n':
                    builder.Append('\n');
                    break;
                case 't':
                    builder.Append('\t');
                    break;
                case 'r':
                    builder.Append('\r');
                    break;
                case 'a':
                    builder.Append('\a');
                    break;
                case 'b':
                    builder.Append('\b');
                    break;
                case 'f':
                    builder.Append('\f');
                    break;
                case 'v':
                    builder.Append('\v');
                    break;
                case >= '0' and <= '7':
                    var end = i;
                    while (end < body.Length && end < i + 3 && body[end] is >= '0' and <= '7')
                    {
                        end++;
                    }

                    builder.Append((char)Convert.ToInt32(body[i..end], 8));
                    i = end - 1;
                    break;
                case 'x' or 'u' or 'U':
                    var width = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    var hex = i + 1 + width <= body.Length ? body.Substring(i + 1, width) : "";
                    if (!int.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code)
                        || code > 0x10FFFF)
                    {
                        throw Error($"(unicode error) 'unicodeescape' codec can't decode bytes: truncated \\{e} escape");
                    }

                    builder.Append(code <= 0xFFFF ? ((char)code).ToString() : char.ConvertFromUtf32(code));
                    i += width;
                    break;
                case 'N':
                    throw Error("\\N{...} escapes are not supported in string literals");
                default:
                    builder.Append('\\').Append(e);
                    break;
            }
        }

        return builder.ToString();
    }
}
