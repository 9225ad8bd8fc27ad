using Peft.ChatTemplates.Jinja.Lexing;
using Peft.ChatTemplates.Jinja.Syntax;

namespace Peft.ChatTemplates.Jinja.Parsing;

internal sealed partial class Parser
{
    private static readonly HashSet<string> CompareOperators = ["==", "!=", "<", "<=", ">", ">="];

    /// <summary>
    /// Comma-separated expressions: one without a trailing comma is itself, otherwise a tuple. "simplified" reads
    /// primaries only (assignment targets); without a condition the <c>x if y</c> form is not read (for/if headers).
    /// </summary>
    private Expr ParseTuple(bool simplified = false, bool withCondition = true, bool parenthesised = false)
    {
        var line = Current.Line;
        var items = new List<Expr>();
        var isTuple = false;
        while (true)
        {
            if (items.Count > 0)
            {
                ExpectOperator(",");
            }

            // jinja2 also passes end names ("in" for a for target) here, but its check never matches them
            // (is_tuple_end calls test_any with the tuple unpacked one level short), so `for in in xs` parses.
            if (Current.Kind is TokenKind.VariableEnd or TokenKind.BlockEnd || Current.IsOperator(")"))
            {
                break;
            }

            items.Add(simplified ? ParsePrimary() : ParseExpression(withCondition));
            if (!Current.IsOperator(","))
            {
                break;
            }

            isTuple = true;
        }

        if (!isTuple)
        {
            if (items.Count > 0)
            {
                return items[0];
            }

            if (!parenthesised)
            {
                throw Fail($"Expected an expression, got '{Current.Describe()}'");
            }
        }

        return new TupleExpr(items, line);
    }

    private Expr ParseExpression(bool withCondition = true) =>
        Nested(() => withCondition ? ParseConditional() : ParseOr());

    private Expr ParseConditional()
    {
        var line = Current.Line;
        var pending = _unknownNames.Count;
        var expression = ParseOr();
        while (SkipName("if"))
        {
            // Every part of a conditional expression is a soft context: drop what its first part recorded.
            _unknownNames.RemoveRange(pending, _unknownNames.Count - pending);
            _softDepth++;
            var test = ParseOr();
            var otherwise = SkipName("else") ? ParseConditional() : null;
            _softDepth--;
            expression = new CondExpr(test, expression, otherwise, line);
            line = Current.Line;
        }

        return expression;
    }

    private Expr ParseOr()
    {
        var left = ParseAnd();
        while (Current.IsName("or"))
        {
            var line = Next().Line;
            left = new Binary("or", left, ParseAnd(), line);
        }

        return left;
    }

    private Expr ParseAnd()
    {
        var left = ParseNot();
        while (Current.IsName("and"))
        {
            var line = Next().Line;
            left = new Binary("and", left, ParseNot(), line);
        }

        return left;
    }

    private Expr ParseNot()
    {
        if (Current.IsName("not"))
        {
            var line = Next().Line;
            return new Unary("not", Nested(ParseNot), line);
        }

        return ParseCompare();
    }

    private Expr ParseCompare()
    {
        var line = Current.Line;
        var first = ParseMath1();
        var rest = new List<KeyValuePair<string, Expr>>();
        while (true)
        {
            if (Current.Kind == TokenKind.Operator && CompareOperators.Contains(Current.Text))
            {
                var op = Next().Text;
                rest.Add(new(op, ParseMath1()));
            }
            else if (SkipName("in"))
            {
                rest.Add(new("in", ParseMath1()));
            }
            else if (Current.IsName("not") && Peek().IsName("in"))
            {
                Next();
                Next();
                rest.Add(new("not in", ParseMath1()));
            }
            else
            {
                break;
            }
        }

        return rest.Count == 0 ? first : new Compare(first, rest, line);
    }

    private Expr ParseMath1()
    {
        var left = ParseConcat();
        while (Current.IsOperator("+") || Current.IsOperator("-"))
        {
            var token = Next();
            left = new Binary(token.Text, left, ParseConcat(), token.Line);
        }

        return left;
    }

    private Expr ParseConcat()
    {
        var left = ParseMath2();
        while (Current.IsOperator("~"))
        {
            var token = Next();
            left = new Binary("~", left, ParseMath2(), token.Line);
        }

        return left;
    }

    private Expr ParseMath2()
    {
        var left = ParsePower();
        while (Current.Kind == TokenKind.Operator && Current.Text is "*" or "/" or "//" or "%")
        {
            var token = Next();
            left = new Binary(token.Text, left, ParsePower(), token.Line);
        }

        return left;
    }

    private Expr ParsePower()
    {
        var left = ParseUnary();
        while (Current.IsOperator("**"))
        {
            var token = Next();
            left = new Binary("**", left, ParseUnary(), token.Line);
        }

        return left;
    }

    /// <summary>Unary signs bind tighter than filters and tests: <c>-x | abs</c> is <c>abs(-x)</c>.</summary>
    private Expr ParseUnary(bool withFilter = true)
    {
        var token = Current;
        Expr node;
        if (token.IsOperator("-") || token.IsOperator("+"))
        {
            Next();
            node = new Unary(token.Text, Nested(() => ParseUnary(withFilter: false)), token.Line);
        }
        else
        {
            node = ParsePrimary();
        }

        node = ParsePostfix(node);
        return withFilter ? ParseFilterExpression(node) : node;
    }

    private Expr ParsePrimary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.Name:
                Next();
                return token.Text switch
                {
                    "true" or "True" => new Const(true, token.Line),
                    "false" or "False" => new Const(false, token.Line),
                    "none" or "None" => new Const(null, token.Line),
                    _ => new Name(token.Text, token.Line),
                };
            case TokenKind.String:
                var text = (string)Next().Value!;
                while (Current.Kind == TokenKind.String)
                {
                    text += (string)Next().Value!;
                }

                return new Const(text, token.Line);
            case TokenKind.Integer or TokenKind.Float:
                Next();
                return new Const(token.Value, token.Line);
            case TokenKind.Operator when token.Text == "(":
                Next();
                var inner = Nested(() => ParseTuple(parenthesised: true));
                ExpectOperator(")");
                return inner;
            case TokenKind.Operator when token.Text == "[":
                return Nested(ParseList);
            case TokenKind.Operator when token.Text == "{":
                return Nested(ParseDict);
            default:
                throw Fail($"unexpected '{token.Describe()}'");
        }
    }

    private ListExpr ParseList()
    {
        var line = ExpectOperator("[").Line;
        var items = new List<Expr>();
        while (!Current.IsOperator("]"))
        {
            if (items.Count > 0)
            {
                ExpectOperator(",");
            }

            if (Current.IsOperator("]"))
            {
                break;
            }

            items.Add(ParseExpression());
        }

        ExpectOperator("]");
        return new ListExpr(items, line);
    }

    private DictExpr ParseDict()
    {
        var line = ExpectOperator("{").Line;
        var pairs = new List<KeyValuePair<Expr, Expr>>();
        while (!Current.IsOperator("}"))
        {
            if (pairs.Count > 0)
            {
                ExpectOperator(",");
            }

            if (Current.IsOperator("}"))
            {
                break;
            }

            var key = ParseExpression();
            ExpectOperator(":");
            pairs.Add(new(key, ParseExpression()));
        }

        ExpectOperator("}");
        return new DictExpr(pairs, line);
    }
}
