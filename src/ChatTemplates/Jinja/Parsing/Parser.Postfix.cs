using Peft.ChatTemplates.Jinja.Lexing;
using Peft.ChatTemplates.Jinja.Syntax;

namespace Peft.ChatTemplates.Jinja.Parsing;

internal sealed partial class Parser
{
    private Expr ParsePostfix(Expr node)
    {
        while (true)
        {
            if (Current.IsOperator(".") || Current.IsOperator("["))
            {
                node = ParseSubscript(node);
            }
            else if (Current.IsOperator("("))
            {
                node = new Call(node, ParseCallArguments(), node.Line);
            }
            else
            {
                return node;
            }
        }
    }

    /// <summary>Filters, tests and calls after a unary expression, in any order: <c>x | f is t</c>.</summary>
    private Expr ParseFilterExpression(Expr node)
    {
        while (true)
        {
            if (Current.IsOperator("|"))
            {
                node = ParseFilters(node, startInline: false)!;
            }
            else if (Current.IsName("is"))
            {
                node = ParseTest(node);
            }
            else if (Current.IsOperator("("))
            {
                node = new Call(node, ParseCallArguments(), node.Line);
            }
            else
            {
                return node;
            }
        }
    }

    private Expr ParseSubscript(Expr node)
    {
        var token = Next();
        if (token.IsOperator("."))
        {
            var attribute = Next();
            return attribute.Kind switch
            {
                TokenKind.Name => new GetAttr(node, attribute.Text, token.Line),
                TokenKind.Integer => new GetItem(node, new Const(attribute.Value, attribute.Line), token.Line),
                _ => throw Fail("expected name or number", attribute.Line),
            };
        }

        var keys = new List<Expr>();
        while (!Current.IsOperator("]"))
        {
            if (keys.Count > 0)
            {
                ExpectOperator(",");
            }

            keys.Add(ParseSubscribed());
        }

        ExpectOperator("]");
        var key = keys.Count == 1 ? keys[0] : new TupleExpr(keys, token.Line);
        return new GetItem(node, key, token.Line);
    }

    private Expr ParseSubscribed()
    {
        var line = Current.Line;
        Expr? start = null;
        if (!Current.IsOperator(":"))
        {
            start = ParseExpression();
            if (!Current.IsOperator(":"))
            {
                return start;
            }
        }

        Next();
        Expr? stop = null;
        if (!(Current.IsOperator(":") || Current.IsOperator("]") || Current.IsOperator(",")))
        {
            stop = ParseExpression();
        }

        Expr? step = null;
        if (SkipOperator(":") && !(Current.IsOperator("]") || Current.IsOperator(",")))
        {
            step = ParseExpression();
        }

        return new SliceExpr(start, stop, step, line);
    }

    private Arguments ParseCallArguments()
    {
        var line = ExpectOperator("(").Line;
        var positional = new List<Expr>();
        var named = new List<KeyValuePair<string, Expr>>();
        Expr? splat = null;
        Expr? keywordSplat = null;
        var requireComma = false;
        void Ensure(bool valid)
        {
            if (!valid)
            {
                throw Fail("invalid syntax for function call expression", line);
            }
        }

        while (!Current.IsOperator(")"))
        {
            if (requireComma)
            {
                ExpectOperator(",");
                if (Current.IsOperator(")"))
                {
                    break;
                }
            }

            if (SkipOperator("*"))
            {
                Ensure(splat is null && keywordSplat is null);
                splat = ParseExpression();
            }
            else if (SkipOperator("**"))
            {
                Ensure(keywordSplat is null);
                keywordSplat = ParseExpression();
            }
            else if (Current.Kind == TokenKind.Name && Peek().IsOperator("="))
            {
                Ensure(keywordSplat is null);
                var name = Next().Text;
                Next();
                named.Add(new(name, ParseExpression()));
            }
            else
            {
                Ensure(splat is null && keywordSplat is null && named.Count == 0);
                positional.Add(ParseExpression());
            }

            requireComma = true;
        }

        ExpectOperator(")");
        return new Arguments(positional, named, splat, keywordSplat);
    }

    /// <summary><c>| name(args) | name ...</c>; startInline reads the first filter without a pipe (filter blocks).</summary>
    private FilterExpr? ParseFilters(Expr? node, bool startInline)
    {
        FilterExpr? result = null;
        while (Current.IsOperator("|") || startInline)
        {
            if (!startInline)
            {
                Next();
            }

            var token = ExpectName();
            var name = DottedName(token.Text);
            CheckKnown(name, filter: true, token.Line);
            var arguments = Current.IsOperator("(") ? ParseCallArguments() : Arguments.None;
            result = new FilterExpr(result ?? node, name, arguments, token.Line);
            startInline = false;
        }

        return result;
    }

    private Expr ParseTest(Expr node)
    {
        var line = Next().Line;
        var negated = SkipName("not");
        var name = DottedName(ExpectName().Text);
        CheckKnown(name, filter: false, line);
        Arguments arguments;
        if (Current.IsOperator("("))
        {
            arguments = ParseCallArguments();
        }
        else if ((Current.Kind is TokenKind.Name or TokenKind.String or TokenKind.Integer or TokenKind.Float
                     || Current.IsOperator("(") || Current.IsOperator("[") || Current.IsOperator("{"))
                 && !(Current.IsName("else") || Current.IsName("or") || Current.IsName("and")))
        {
            if (Current.IsName("is"))
            {
                throw Fail("You cannot chain multiple tests with is");
            }

            arguments = new Arguments([ParsePostfix(ParsePrimary())], [], null, null);
        }
        else
        {
            arguments = Arguments.None;
        }

        Expr test = new TestExpr(node, name, arguments, line);
        return negated ? new Unary("not", test, line) : test;
    }

    private string DottedName(string name)
    {
        while (Current.IsOperator("."))
        {
            Next();
            name += "." + ExpectName().Text;
        }

        return name;
    }
}
