using System.Globalization;
using System.Text.RegularExpressions;

namespace Peft.ChatTemplates.Jinja.Lexing;

internal sealed partial class Lexer
{
    // Tried in this order, as jinja2 does: a float before an integer, so "1.5" is one token; a float never starts
    // right after a dot, so "x.0.1" reads as x . 0 . 1.
    [GeneratedRegex(@"\G(?<!\.)(\d+_)*\d+((\.(\d+_)*\d+)?e[+\-]?(\d+_)*\d+|\.(\d+_)*\d+)", RegexOptions.IgnoreCase)]
    private static partial Regex FloatPattern();

    [GeneratedRegex(@"\G(0b(_?[0-1])+|0o(_?[0-7])+|0x(_?[\da-f])+|[1-9](_?\d)*|0(_?0)*)", RegexOptions.IgnoreCase)]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"\G[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*")]
    private static partial Regex NamePattern();

    [GeneratedRegex("""\G('([^'\\]*(?:\\.[^'\\]*)*)'|"([^"\\]*(?:\\.[^"\\]*)*)")""", RegexOptions.Singleline)]
    private static partial Regex StringPattern();

    [GeneratedRegex(@"\G\s*raw\s*(-?)%\}")]
    private static partial Regex RawBeginPattern();

    [GeneratedRegex(@"\{%([-+]?)\s*endraw\s*([-+]?)%\}")]
    private static partial Regex RawEndPattern();

    private static readonly string[] Operators =
    [
        "//", "**", "==", "!=", ">=", "<=",
        "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";",
    ];

    /// <summary>Tokens inside <c>{{ }}</c> or <c>{% %}</c>, up to the end delimiter at bracket depth zero.</summary>
    private void LexTag(bool variable)
    {
        var brackets = new Stack<char>();
        while (true)
        {
            var whitespace = 0;
            while (_position + whitespace < _source.Length && Runtime.PyStrings.IsWhitespace(_source[_position + whitespace]))
            {
                whitespace++;
            }

            Advance(whitespace);
            if (_position >= _source.Length)
            {
                throw Error($"unexpected end of template, expected '{(variable ? "end of print statement" : "end of statement block")}'.");
            }

            if (brackets.Count == 0 && TryTagEnd(variable))
            {
                return;
            }

            LexToken(brackets);
        }
    }

    private bool TryTagEnd(bool variable)
    {
        var close = variable ? "}}" : "%}";
        if (StartsWithAt(_source, _position, "-" + close))
        {
            Emit(variable ? TokenKind.VariableEnd : TokenKind.BlockEnd, close);
            Advance(3);
            AfterTagEnd(strip: true, trim: false);
            return true;
        }

        if (!variable && StartsWithAt(_source, _position, "+" + close))
        {
            Emit(TokenKind.BlockEnd, close);
            Advance(3);
            return true;
        }

        if (StartsWithAt(_source, _position, close))
        {
            Emit(variable ? TokenKind.VariableEnd : TokenKind.BlockEnd, close);
            Advance(2);
            AfterTagEnd(strip: false, trim: !variable && _options.TrimBlocks);
            return true;
        }

        return false;
    }

    private void LexToken(Stack<char> brackets)
    {
        Match match;
        if ((match = FloatPattern().Match(_source, _position)).Success)
        {
            var value = double.Parse(match.Value.Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture);
            Emit(TokenKind.Float, match.Value, value);
        }
        else if ((match = IntegerPattern().Match(_source, _position)).Success)
        {
            Emit(TokenKind.Integer, match.Value, ParseInteger(match.Value));
        }
        else if ((match = NamePattern().Match(_source, _position)).Success)
        {
            Emit(TokenKind.Name, match.Value);
        }
        else if ((match = StringPattern().Match(_source, _position)).Success)
        {
            Emit(TokenKind.String, match.Value, Unescape(match.Value[1..^1]));
        }
        else
        {
            LexOperator(brackets);
            return;
        }

        Advance(match.Length);
    }

    private long ParseInteger(string text)
    {
        var digits = text.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
        var (radix, body) = digits.Length > 2 && digits[0] == '0' && digits[1] is 'b' or 'o' or 'x'
            ? (digits[1] switch { 'b' => 2, 'o' => 8, _ => 16 }, digits[2..])
            : (10, digits);
        try
        {
            return radix == 10 ? long.Parse(body, CultureInfo.InvariantCulture) : Convert.ToInt64(body, radix);
        }
        catch (OverflowException)
        {
            throw Error($"integer literal {text} is too large for this engine (64-bit)");
        }
    }

    private void LexOperator(Stack<char> brackets)
    {
        var op = Array.Find(Operators, o => StartsWithAt(_source, _position, o))
            ?? throw Error($"unexpected char {Describe(_source[_position])} at {_position}");
        switch (op)
        {
            case "(" or "[" or "{":
                brackets.Push(op[0]);
                break;
            case ")" or "]" or "}":
                var expected = op switch { ")" => '(', "]" => '[', _ => '{' };
                if (brackets.Count == 0)
                {
                    throw Error($"unexpected '{op}'");
                }

                var open = brackets.Pop();
                if (open != expected)
                {
                    var closer = open switch { '(' => ')', '[' => ']', _ => '}' };
                    throw Error($"unexpected '{op}', expected '{closer}'");
                }

                break;
        }

        Emit(TokenKind.Operator, op);
        Advance(op.Length);
    }

    /// <summary><c>{% raw %}...{% endraw %}</c>: the body is data, never parsed.</summary>
    private bool TryLexRaw(int afterBegin)
    {
        var begin = RawBeginPattern().Match(_source, _position + afterBegin);
        if (!begin.Success)
        {
            return false;
        }

        var end = RawEndPattern().Match(_source, begin.Index + begin.Length);
        if (!end.Success)
        {
            throw Error("Missing end of raw directive");
        }

        var bodyStart = begin.Index + begin.Length;
        Advance(bodyStart - _position);
        var text = _source[bodyStart..end.Index];
        if (begin.Groups[1].Value == "-")
        {
            text = Runtime.PyStrings.Strip(text, null, left: true, right: false);
        }

        if (end.Groups[1].Value == "-")
        {
            text = RightStrip(text);
        }
        else if (end.Groups[1].Value != "+" && _options.LstripBlocks)
        {
            var lineStart = text.LastIndexOf('\n') + 1;
            if (text[lineStart..].All(Runtime.PyStrings.IsWhitespace))
            {
                text = text[..lineStart];
            }
        }

        EmitData(text);
        Advance(end.Index + end.Length - _position);
        AfterTagEnd(strip: end.Groups[2].Value == "-", trim: end.Groups[2].Value != "+" && _options.TrimBlocks);
        return true;
    }
}
