namespace Peft.ChatTemplates.Jinja.Lexing;

internal enum TokenKind
{
    Data,
    VariableBegin,
    VariableEnd,
    BlockBegin,
    BlockEnd,
    Name,
    String,
    Integer,
    Float,
    Operator,
    Eof,
}

/// <summary>A lexed token. Value holds the decoded literal for strings (string), integers (long) and floats (double).</summary>
internal readonly record struct Token(TokenKind Kind, string Text, int Line, object? Value = null)
{
    public bool Is(TokenKind kind, string text) => Kind == kind && Text == text;

    public bool IsOperator(string text) => Kind == TokenKind.Operator && Text == text;

    public bool IsName(string name) => Kind == TokenKind.Name && Text == name;

    /// <summary>How jinja2 describes a token in "expected X, got Y" messages.</summary>
    public string Describe() => Kind switch
    {
        TokenKind.Eof => "end of template",
        TokenKind.VariableEnd => "end of print statement",
        TokenKind.BlockEnd => "end of statement block",
        TokenKind.Data => "template data",
        TokenKind.String => "string",
        _ => Text,
    };
}
