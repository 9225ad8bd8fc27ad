namespace Peft.ChatTemplates.Jinja;

/// <summary>What went wrong, in Python's terms: jinja2 reports template failures as these exception types.</summary>
internal enum TemplateErrorKind
{
    Syntax,
    Undefined,
    Type,
    Value,
    Index,
    Attribute,
    ZeroDivision,
    Overflow,
    Security,
    Runtime,

    /// <summary>The template itself called <c>raise_exception</c>: the message is the template author's.</summary>
    Raised,
}

/// <summary>
/// A template failed to parse or render. The line is the template line of the node that failed; it is attached on
/// the way out by the innermost statement or expression that knows its line.
/// </summary>
internal sealed class TemplateError : Exception
{
    public TemplateError(TemplateErrorKind kind, string message, int? line = null)
        : base(message)
    {
        Kind = kind;
        Line = line;
    }

    public TemplateError()
        : this(TemplateErrorKind.Runtime, "template error")
    {
    }

    public TemplateError(string message)
        : this(TemplateErrorKind.Runtime, message)
    {
    }

    public TemplateError(string message, Exception innerException)
        : base(message, innerException)
    {
        Kind = TemplateErrorKind.Runtime;
    }

    public TemplateErrorKind Kind { get; }

    public int? Line { get; private set; }

    /// <summary>Python's exception class name for this kind, as jinja2 would raise it.</summary>
    public string PythonName => Kind switch
    {
        TemplateErrorKind.Syntax => "TemplateSyntaxError",
        TemplateErrorKind.Undefined => "UndefinedError",
        TemplateErrorKind.Type => "TypeError",
        TemplateErrorKind.Value => "ValueError",
        TemplateErrorKind.Index => "IndexError",
        TemplateErrorKind.Attribute => "AttributeError",
        TemplateErrorKind.ZeroDivision => "ZeroDivisionError",
        TemplateErrorKind.Overflow => "OverflowError",
        TemplateErrorKind.Security => "SecurityError",
        TemplateErrorKind.Raised => "TemplateError",
        _ => "TemplateRuntimeError",
    };

    public TemplateError AtLine(int line)
    {
        Line ??= line;
        return this;
    }

    /// <summary>
    /// For exception filters: records the line (innermost wins) and declines to catch, so the error passes through
    /// every level without a catch-and-rethrow per level (which, deep in a recursion, would itself exhaust the stack).
    /// </summary>
    public bool NoteLine(int line)
    {
        Line ??= line;
        return false;
    }

    public static TemplateError TypeError(string message) => new(TemplateErrorKind.Type, message);

    public static TemplateError ValueError(string message) => new(TemplateErrorKind.Value, message);

    public static TemplateError Syntax(string message, int line) => new(TemplateErrorKind.Syntax, message, line);
}
