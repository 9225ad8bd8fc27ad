namespace Peft.ChatTemplates.Jinja.Syntax;

/// <summary>A statement node: template text, an output, or a tag.</summary>
internal abstract record Stmt(int Line);

internal sealed record TextStmt(string Text, int Line) : Stmt(Line);

/// <summary><c>{{ value }}</c>.</summary>
internal sealed record OutputStmt(Expr Value, int Line) : Stmt(Line);

internal sealed record IfBranch(Expr Test, IReadOnlyList<Stmt> Body);

internal sealed record IfStmt(IReadOnlyList<IfBranch> Branches, IReadOnlyList<Stmt>? Otherwise, int Line) : Stmt(Line);

internal sealed record ForStmt(
    Expr Target,
    Expr Iterable,
    Expr? Condition,
    IReadOnlyList<Stmt> Body,
    IReadOnlyList<Stmt>? Otherwise,
    bool Recursive,
    int Line) : Stmt(Line);

/// <summary><c>{% set target = value %}</c>; the target is a name, a tuple of names or <c>namespace.attribute</c>.</summary>
internal sealed record SetStmt(Expr Target, Expr Value, int Line) : Stmt(Line);

/// <summary><c>{% set target | filters %}body{% endset %}</c>.</summary>
internal sealed record SetBlockStmt(Expr Target, FilterExpr? Filters, IReadOnlyList<Stmt> Body, int Line) : Stmt(Line);

/// <summary>
/// A macro's parameters and defaults, and which of the implicit names its body reads: a macro accepts extra
/// positional arguments only if it reads <c>varargs</c>, extra keywords only if it reads <c>kwargs</c>, and a
/// <c>caller</c> only if it reads <c>caller</c>.
/// </summary>
internal sealed record MacroSignature(
    IReadOnlyList<string> Parameters,
    IReadOnlyList<Expr?> Defaults,
    bool UsesCaller,
    bool UsesVarargs,
    bool UsesKwargs);

internal sealed record MacroStmt(string Name, MacroSignature Signature, IReadOnlyList<Stmt> Body, int Line) : Stmt(Line);

/// <summary><c>{% call(params) macro(args) %}body{% endcall %}</c>: the body becomes the macro's <c>caller</c>.</summary>
internal sealed record CallBlockStmt(Call Call, MacroSignature Signature, IReadOnlyList<Stmt> Body, int Line) : Stmt(Line);

internal sealed record FilterBlockStmt(FilterExpr Filters, IReadOnlyList<Stmt> Body, int Line) : Stmt(Line);

internal sealed record WithStmt(IReadOnlyList<KeyValuePair<Expr, Expr>> Assignments, IReadOnlyList<Stmt> Body, int Line) : Stmt(Line);

internal sealed record BreakStmt(int Line) : Stmt(Line);

internal sealed record ContinueStmt(int Line) : Stmt(Line);

/// <summary>transformers' <c>{% generation %}</c> block: marks assistant text; rendering just renders the body.</summary>
internal sealed record GenerationStmt(IReadOnlyList<Stmt> Body, int Line) : Stmt(Line);
