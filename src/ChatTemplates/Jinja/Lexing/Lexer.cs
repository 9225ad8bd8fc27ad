using System.Text;

namespace Peft.ChatTemplates.Jinja.Lexing;

/// <summary>
/// Splits template source into data and tag tokens the way jinja2's lexer does, including its whitespace rules:
/// newlines normalised to \n and one trailing newline dropped (keep_trailing_newline off); <c>{%-</c>/<c>-%}</c>
/// stripping all adjacent whitespace; lstrip_blocks removing the spaces before a block or comment tag that starts a
/// line (unless <c>{%+</c>); trim_blocks removing the newline after a block or comment tag (unless <c>+%}</c>).
/// </summary>
internal sealed partial class Lexer
{
    private readonly string _source;
    private readonly JinjaOptions _options;
    private readonly List<Token> _tokens = [];
    private int _position;
    private int _line = 1;

    // Whether the text about to be read starts a line: lstrip_blocks strips only there.
    private bool _lineStarting = true;

    private Lexer(string source, JinjaOptions options)
    {
        _source = source;
        _options = options;
    }

    public static List<Token> Tokenize(string source, JinjaOptions options)
    {
        var lexer = new Lexer(Normalize(source, options), options);
        lexer.Run();
        return lexer._tokens;
    }

    private static string Normalize(string source, JinjaOptions options)
    {
        var text = source.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        return !options.KeepTrailingNewline && text.EndsWith('\n') ? text[..^1] : text;
    }

    private void Run()
    {
        while (_position < _source.Length)
        {
            var begin = FindTagBegin(_position);
            if (begin < 0)
            {
                EmitData(_source[_position..]);
                _position = _source.Length;
                break;
            }

            var kind = _source[begin + 1];
            var modifier = begin + 2 < _source.Length ? _source[begin + 2] : '\0';
            var text = _source[_position..begin];
            if (modifier == '-')
            {
                text = RightStrip(text);
            }
            else if (modifier != '+' && _options.LstripBlocks && kind != '{')
            {
                text = LeftStripBlock(text);
            }

            EmitData(text);
            Advance(begin - _position);
            var afterBegin = 2 + (modifier is '-' or '+' ? 1 : 0);
            switch (kind)
            {
                case '#':
                    Advance(afterBegin);
                    SkipComment();
                    break;
                case '{':
                    Emit(TokenKind.VariableBegin, "{{");
                    Advance(afterBegin);
                    LexTag(variable: true);
                    break;
                default:
                    if (!TryLexRaw(afterBegin))
                    {
                        Emit(TokenKind.BlockBegin, "{%");
                        Advance(afterBegin);
                        LexTag(variable: false);
                    }

                    break;
            }
        }

        _tokens.Add(new Token(TokenKind.Eof, "", _line));
    }

    private int FindTagBegin(int from)
    {
        for (var i = _source.IndexOf('{', from); i >= 0 && i + 1 < _source.Length; i = _source.IndexOf('{', i + 1))
        {
            if (_source[i + 1] is '{' or '%' or '#')
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>lstrip_blocks: drop the whitespace between the line's start and the tag, if that is all there is.</summary>
    private string LeftStripBlock(string text)
    {
        var lineStart = text.LastIndexOf('\n') + 1;
        if (lineStart == 0 && !_lineStarting)
        {
            return text;
        }

        for (var i = lineStart; i < text.Length; i++)
        {
            if (!Runtime.PyStrings.IsWhitespace(text[i]))
            {
                return text;
            }
        }

        return text[..lineStart];
    }

    private static string RightStrip(string text) =>
        Runtime.PyStrings.Strip(text, null, left: false, right: true);

    private void EmitData(string text)
    {
        if (text.Length > 0)
        {
            _tokens.Add(new Token(TokenKind.Data, text, _line));
        }
    }

    private void Emit(TokenKind kind, string text, object? value = null) =>
        _tokens.Add(new Token(kind, text, _line, value));

    /// <summary>Moves past source text, counting its newlines and noting whether it ended a line.</summary>
    private void Advance(int count)
    {
        if (count <= 0)
        {
            return;
        }

        var end = _position + count;
        for (var i = _position; i < end; i++)
        {
            if (_source[i] == '\n')
            {
                _line++;
            }
        }

        _lineStarting = _source[end - 1] == '\n';
        _position = end;
    }

    /// <summary>After a tag: "-" strips all following whitespace, trim_blocks drops one newline.</summary>
    private void AfterTagEnd(bool strip, bool trim)
    {
        var count = 0;
        if (strip)
        {
            while (_position + count < _source.Length && Runtime.PyStrings.IsWhitespace(_source[_position + count]))
            {
                count++;
            }
        }
        else if (trim && _position < _source.Length && _source[_position] == '\n')
        {
            count = 1;
        }

        Advance(count);
    }

    private void SkipComment()
    {
        var bodyStart = _position;
        var end = _source.IndexOf("#}", _position, StringComparison.Ordinal);
        if (end < 0)
        {
            throw TemplateError.Syntax("Missing end of comment tag", _line);
        }

        var modifier = end > bodyStart ? _source[end - 1] : '\0';
        Advance(end + 2 - _position);
        AfterTagEnd(strip: modifier == '-', trim: modifier != '+' && _options.TrimBlocks);
    }

    private TemplateError Error(string message) => TemplateError.Syntax(message, _line);

    private static bool StartsWithAt(string source, int index, string value) =>
        string.CompareOrdinal(source, index, value, 0, value.Length) == 0;

    private static string Describe(char c) => new StringBuilder().Append('\'').Append(c).Append('\'').ToString();
}
