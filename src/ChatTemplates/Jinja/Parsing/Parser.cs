using Peft.ChatTemplates.Jinja.Lexing;
using Peft.ChatTemplates.Jinja.Syntax;

namespace Peft.ChatTemplates.Jinja.Parsing;

/// <summary>
/// Builds the syntax tree from tokens with jinja2's grammar and precedence. Unknown filters and tests fail the parse
/// unless they sit inside an <c>if</c> or a conditional expression, where jinja2 defers the error to the moment the
/// node runs; a <c>break</c> or <c>continue</c> outside a loop fails the parse.
/// </summary>
internal sealed partial class Parser
{
    private const int MaxNesting = 200;

    private readonly List<Token> _tokens;
    private readonly Func<string, bool> _isFilter;
    private readonly Func<string, bool> _isTest;
    private readonly List<TemplateError> _unknownNames = [];
    private int _index;
    private int _softDepth;
    private int _loopDepth;
    private int _nesting;

    private Parser(List<Token> tokens, Func<string, bool> isFilter, Func<string, bool> isTest)
    {
        _tokens = tokens;
        _isFilter = isFilter;
        _isTest = isTest;
    }

    public static IReadOnlyList<Stmt> Parse(List<Token> tokens, Func<string, bool> isFilter, Func<string, bool> isTest)
    {
        var parser = new Parser(tokens, isFilter, isTest);
        var body = parser.Subparse(null);
        return parser._unknownNames.Count > 0 ? throw parser._unknownNames[0] : body;
    }

    private Token Current => _tokens[_index];

    private Token Peek(int offset = 1) => _tokens[Math.Min(_index + offset, _tokens.Count - 1)];

    private Token Next()
    {
        var token = Current;
        if (_index < _tokens.Count - 1)
        {
            _index++;
        }

        return token;
    }

    private bool SkipOperator(string op)
    {
        if (!Current.IsOperator(op))
        {
            return false;
        }

        Next();
        return true;
    }

    private bool SkipName(string name)
    {
        if (!Current.IsName(name))
        {
            return false;
        }

        Next();
        return true;
    }

    private Token ExpectOperator(string op) =>
        Current.IsOperator(op) ? Next() : throw Fail($"expected token '{op}', got '{Current.Describe()}'");

    private Token ExpectName() =>
        Current.Kind == TokenKind.Name ? Next() : throw Fail($"expected token 'name', got '{Current.Describe()}'");

    private void ExpectKind(TokenKind kind, string description)
    {
        if (Current.Kind != kind)
        {
            throw Fail($"expected token '{description}', got '{Current.Describe()}'");
        }

        Next();
    }

    private TemplateError Fail(string message, int? line = null) => TemplateError.Syntax(message, line ?? Current.Line);

    /// <summary>Guards the recursive descent: a pathological template fails the parse instead of the stack.</summary>
    private T Nested<T>(Func<T> parse)
    {
        if (++_nesting > MaxNesting)
        {
            throw Fail("template nesting is too deep");
        }

        try
        {
            return parse();
        }
        finally
        {
            _nesting--;
        }
    }

    private void CheckKnown(string name, bool filter, int line)
    {
        if (_softDepth == 0 && !(filter ? _isFilter(name) : _isTest(name)))
        {
            _unknownNames.Add(Fail($"No {(filter ? "filter" : "test")} named '{name}'.", line));
        }
    }
}
