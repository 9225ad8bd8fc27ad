using Peft.ChatTemplates.Jinja.Lexing;
using Peft.ChatTemplates.Jinja.Syntax;

namespace Peft.ChatTemplates.Jinja.Parsing;

internal sealed partial class Parser
{
    /// <summary>Statements up to (not including) a block tag whose name is one of the end tags, or the end.</summary>
    private List<Stmt> Subparse(string[]? endTags) => Nested(() =>
    {
        var body = new List<Stmt>();
        while (true)
        {
            var token = Current;
            switch (token.Kind)
            {
                case TokenKind.Data:
                    Next();
                    body.Add(new TextStmt(token.Text, token.Line));
                    break;
                case TokenKind.VariableBegin:
                    Next();
                    body.Add(new OutputStmt(ParseTuple(), token.Line));
                    ExpectKind(TokenKind.VariableEnd, "end of print statement");
                    break;
                case TokenKind.BlockBegin:
                    Next();
                    if (endTags is not null && Current.Kind == TokenKind.Name && endTags.Contains(Current.Text))
                    {
                        return body;
                    }

                    body.Add(ParseStatement());
                    ExpectKind(TokenKind.BlockEnd, "end of statement block");
                    break;
                case TokenKind.Eof:
                    if (endTags is not null)
                    {
                        throw Fail(
                            "Unexpected end of template. Jinja was looking for the following tags: " +
                            string.Join(" or ", endTags.Select(t => $"'{t}'")) + ".");
                    }

                    return body;
                default:
                    throw Fail($"unexpected '{token.Describe()}'");
            }
        }
    });

    /// <summary>The header's block end, then the body up to one of the end tags (left as the current token).</summary>
    private List<Stmt> ParseBody(params string[] endTags)
    {
        SkipOperator(":");
        ExpectKind(TokenKind.BlockEnd, "end of statement block");
        return Subparse(endTags);
    }

    /// <summary>A body whose single end tag is consumed (its block end is left for the enclosing subparse).</summary>
    private List<Stmt> ParseBodyTo(string endTag)
    {
        var body = ParseBody(endTag);
        Next();
        return body;
    }

    private Stmt ParseStatement()
    {
        var token = Current;
        if (token.Kind != TokenKind.Name)
        {
            throw Fail("tag name expected");
        }

        switch (token.Text)
        {
            case "for":
                return ParseFor();
            case "if":
                return ParseIf();
            case "set":
                return ParseSet();
            case "macro":
                return ParseMacro();
            case "call":
                return ParseCallBlock();
            case "filter":
                Next();
                var filters = ParseFilters(null, startInline: true)!;
                return new FilterBlockStmt(filters, ParseBodyTo("endfilter"), token.Line);
            case "with":
                return ParseWith();
            case "generation":
                Next();
                return new GenerationStmt(ParseBodyTo("endgeneration"), token.Line);
            case "break" or "continue":
                Next();
                if (_loopDepth == 0)
                {
                    throw Fail($"'{token.Text}' outside loop", token.Line);
                }

                return token.Text == "break" ? new BreakStmt(token.Line) : new ContinueStmt(token.Line);
            case "block" or "extends" or "include" or "import" or "from" or "autoescape" or "raw":
                throw Fail($"the '{token.Text}' tag is not supported in chat templates", token.Line);
            default:
                throw Fail($"Encountered unknown tag '{token.Text}'.", token.Line);
        }
    }

    private ForStmt ParseFor()
    {
        var line = Next().Line;
        var target = ParseAssignTarget();
        if (!SkipName("in"))
        {
            throw Fail($"expected token 'in', got '{Current.Describe()}'");
        }

        var iterable = ParseTuple(withCondition: false);
        var condition = SkipName("if") ? ParseExpression() : null;
        var recursive = SkipName("recursive");
        if (recursive)
        {
            throw Fail("recursive for loops are not supported in chat templates", line);
        }

        _loopDepth++;
        var body = ParseBody("endfor", "else");
        _loopDepth--;
        var otherwise = Next().Text == "else" ? ParseBodyTo("endfor") : null;
        return new ForStmt(target, iterable, condition, body, otherwise, recursive, line);
    }

    private IfStmt ParseIf()
    {
        var line = Next().Line;
        var branches = new List<IfBranch>();
        List<Stmt>? otherwise = null;
        _softDepth++;
        while (true)
        {
            var test = ParseTuple(withCondition: false);
            branches.Add(new IfBranch(test, ParseBody("elif", "else", "endif")));
            var tag = Next().Text;
            if (tag == "elif")
            {
                continue;
            }

            if (tag == "else")
            {
                otherwise = ParseBodyTo("endif");
            }

            break;
        }

        _softDepth--;
        return new IfStmt(branches, otherwise, line);
    }

    private Stmt ParseSet()
    {
        var line = Next().Line;
        var target = ParseAssignTarget(withNamespace: true);
        if (SkipOperator("="))
        {
            return new SetStmt(target, ParseTuple(), line);
        }

        var filters = ParseFilters(null, startInline: false);
        return new SetBlockStmt(target, filters, ParseBodyTo("endset"), line);
    }

    private MacroStmt ParseMacro()
    {
        var line = Next().Line;
        var name = ExpectName().Text;
        var (parameters, defaults) = ParseSignature();
        var loops = _loopDepth;
        _loopDepth = 0;
        var body = ParseBodyTo("endmacro");
        _loopDepth = loops;
        return new MacroStmt(name, Signature(parameters, defaults, body), body, line);
    }

    private CallBlockStmt ParseCallBlock()
    {
        var line = Next().Line;
        var (parameters, defaults) = Current.IsOperator("(") ? ParseSignature() : ([], []);
        var call = ParseExpression() as Call ?? throw Fail("expected call", line);
        var loops = _loopDepth;
        _loopDepth = 0;
        var body = ParseBodyTo("endcall");
        _loopDepth = loops;
        return new CallBlockStmt(call, Signature(parameters, defaults, body), body, line);
    }

    private static MacroSignature Signature(List<string> parameters, List<Expr?> defaults, List<Stmt> body)
    {
        var names = NameFinder.Find(body);
        return new MacroSignature(
            parameters,
            defaults,
            names.Contains("caller"),
            names.Contains("varargs"),
            names.Contains("kwargs"));
    }

    /// <summary>
    /// <c>(a, b=1, c=2)</c>; defaults are aligned with parameters (null where none), and a parameter without a
    /// default may not follow one with a default.
    /// </summary>
    private (List<string> Parameters, List<Expr?> Defaults) ParseSignature()
    {
        var parameters = new List<string>();
        var defaults = new List<Expr?>();
        ExpectOperator("(");
        while (!Current.IsOperator(")"))
        {
            if (parameters.Count > 0)
            {
                ExpectOperator(",");
            }

            parameters.Add(ExpectName().Text);
            if (SkipOperator("="))
            {
                defaults.Add(ParseExpression());
            }
            else if (defaults.Any(d => d is not null))
            {
                throw Fail("non-default argument follows default argument");
            }
            else
            {
                defaults.Add(null);
            }
        }

        ExpectOperator(")");
        return (parameters, defaults);
    }

    private WithStmt ParseWith()
    {
        var line = Next().Line;
        var assignments = new List<KeyValuePair<Expr, Expr>>();
        while (Current.Kind != TokenKind.BlockEnd)
        {
            if (assignments.Count > 0)
            {
                ExpectOperator(",");
            }

            var target = ParseAssignTarget();
            ExpectOperator("=");
            assignments.Add(new(target, ParseExpression()));
        }

        return new WithStmt(assignments, ParseBodyTo("endwith"), line);
    }

    /// <summary>A name, a (possibly parenthesised) tuple of targets, or with <c>set</c> a <c>namespace.attribute</c>.</summary>
    private Expr ParseAssignTarget(bool withNamespace = false)
    {
        if (withNamespace && Current.Kind == TokenKind.Name && Peek().IsOperator("."))
        {
            var owner = Next();
            Next();
            var attribute = ExpectName();
            return new GetAttr(new Name(owner.Text, owner.Line), attribute.Text, owner.Line);
        }

        var target = ParseTuple(simplified: true);
        return IsAssignable(target) ? target : throw Fail($"can't assign to '{Describe(target)}'", target.Line);
    }

    private static bool IsAssignable(Expr target) => target switch
    {
        Name name => name.Identifier is not ("true" or "false" or "none" or "True" or "False" or "None"),
        TupleExpr tuple => tuple.Items.All(IsAssignable),
        _ => false,
    };

    private static string Describe(Expr expression) => expression switch
    {
        Const => "const",
        TupleExpr => "tuple",
        ListExpr => "list",
        DictExpr => "dict",
        _ => expression.GetType().Name.ToLowerInvariant(),
    };
}
