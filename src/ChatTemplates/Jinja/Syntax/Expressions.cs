namespace Peft.ChatTemplates.Jinja.Syntax;

/// <summary>An expression node; Line is the template line it starts on, for error messages.</summary>
internal abstract record Expr(int Line);

internal sealed record Const(object? Value, int Line) : Expr(Line);

internal sealed record Name(string Identifier, int Line) : Expr(Line);

internal sealed record TupleExpr(IReadOnlyList<Expr> Items, int Line) : Expr(Line);

internal sealed record ListExpr(IReadOnlyList<Expr> Items, int Line) : Expr(Line);

internal sealed record DictExpr(IReadOnlyList<KeyValuePair<Expr, Expr>> Pairs, int Line) : Expr(Line);

/// <summary><c>target.attribute</c>: Python attribute first, then item.</summary>
internal sealed record GetAttr(Expr Target, string Attribute, int Line) : Expr(Line);

/// <summary><c>target[key]</c> (also <c>target.0</c>): item first, then attribute.</summary>
internal sealed record GetItem(Expr Target, Expr Key, int Line) : Expr(Line);

/// <summary>The <c>start:stop:step</c> inside brackets; only ever the key of a <see cref="GetItem"/>.</summary>
internal sealed record SliceExpr(Expr? Start, Expr? Stop, Expr? Step, int Line) : Expr(Line);

/// <summary>Call arguments as written: positional, keyword, then <c>*args</c> and <c>**kwargs</c>.</summary>
internal sealed record Arguments(
    IReadOnlyList<Expr> Positional,
    IReadOnlyList<KeyValuePair<string, Expr>> Named,
    Expr? Splat,
    Expr? KeywordSplat)
{
    public static Arguments None { get; } = new([], [], null, null);
}

internal sealed record Call(Expr Callee, Arguments Args, int Line) : Expr(Line);

/// <summary><c>target | name(args)</c>; a null target stands for a filter block's body.</summary>
internal sealed record FilterExpr(Expr? Target, string FilterName, Arguments Args, int Line) : Expr(Line);

/// <summary><c>target is name(args)</c>.</summary>
internal sealed record TestExpr(Expr Target, string TestName, Arguments Args, int Line) : Expr(Line);

/// <summary>Unary "-", "+" or "not".</summary>
internal sealed record Unary(string Op, Expr Operand, int Line) : Expr(Line);

/// <summary>Binary arithmetic, "~", "and" or "or".</summary>
internal sealed record Binary(string Op, Expr Left, Expr Right, int Line) : Expr(Line);

/// <summary>A comparison chain <c>a &lt; b &lt;= c</c>; operators include "in" and "not in".</summary>
internal sealed record Compare(Expr First, IReadOnlyList<KeyValuePair<string, Expr>> Rest, int Line) : Expr(Line);

/// <summary><c>then if test else otherwise</c>; without else a false test gives undefined.</summary>
internal sealed record CondExpr(Expr Test, Expr Then, Expr? Otherwise, int Line) : Expr(Line);
