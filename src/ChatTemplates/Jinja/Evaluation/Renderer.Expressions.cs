using Peft.ChatTemplates.Jinja.Filters;
using Peft.ChatTemplates.Jinja.Runtime;
using Peft.ChatTemplates.Jinja.Syntax;
using Peft.ChatTemplates.Jinja.Tests;

namespace Peft.ChatTemplates.Jinja.Evaluation;

internal sealed partial class Renderer
{
    internal object? EvaluateIn(Expr expression, Frame frame) => Evaluate(expression, frame);

    private object? Evaluate(Expr expression, Frame frame)
    {
        try
        {
            EnsureStack();
            return EvaluateNode(expression, frame);
        }
        catch (TemplateError error) when (error.NoteLine(expression.Line))
        {
            throw;
        }
    }

    private object? EvaluateNode(Expr expression, Frame frame)
    {
        switch (expression)
        {
            case Const constant:
                return constant.Value;
            case Name name:
                return frame.TryLookup(name.Identifier, out var value) ? value : Undefined.Name(name.Identifier);
            case ListExpr list:
                return list.Items.Select(item => Evaluate(item, frame)).ToList();
            case TupleExpr tuple:
                return new PyTuple([.. tuple.Items.Select(item => Evaluate(item, frame))]);
            case DictExpr dict:
                var result = new PyDict();
                foreach (var (key, item) in dict.Pairs)
                {
                    result.Set(Evaluate(key, frame), Evaluate(item, frame));
                }

                return result;
            case GetAttr attribute:
                return Py.GetAttribute(Evaluate(attribute.Target, frame), attribute.Attribute);
            case GetItem { Key: SliceExpr slice } item:
                return Py.Slice(
                    Evaluate(item.Target, frame),
                    slice.Start is null ? null : Evaluate(slice.Start, frame),
                    slice.Stop is null ? null : Evaluate(slice.Stop, frame),
                    slice.Step is null ? null : Evaluate(slice.Step, frame));
            case GetItem item:
                return Py.GetItem(Evaluate(item.Target, frame), Evaluate(item.Key, frame));
            case Call call:
                return EvaluateCall(call, frame, caller: null);
            case FilterExpr filter:
                return ApplyFilters(filter, null, frame);
            case TestExpr test:
                return TestRegistry.Apply(test.TestName, Evaluate(test.Target, frame), EvaluateArguments(test.Args, frame));
            case Unary unary:
                return EvaluateUnary(unary, frame);
            case Binary binary:
                return EvaluateBinary(binary, frame);
            case Compare compare:
                return EvaluateCompare(compare, frame);
            case CondExpr conditional:
                if (Py.Truthy(Evaluate(conditional.Test, frame)))
                {
                    return Evaluate(conditional.Then, frame);
                }

                return conditional.Otherwise is null
                    ? Undefined.WithMessage(
                        $"the inline if-expression on line {conditional.Line} evaluated to false and no else section was defined.")
                    : Evaluate(conditional.Otherwise, frame);
            default:
                throw new TemplateError(TemplateErrorKind.Runtime, $"unsupported expression {expression.GetType().Name}");
        }
    }

    private object? EvaluateUnary(Unary unary, Frame frame)
    {
        var operand = Evaluate(unary.Operand, frame);
        return unary.Op switch
        {
            "not" => !Py.Truthy(operand),
            "-" => Py.Negate(operand),
            _ => Py.Plus(operand),
        };
    }

    private object? EvaluateBinary(Binary binary, Frame frame)
    {
        var left = Evaluate(binary.Left, frame);
        switch (binary.Op)
        {
            case "and":
                return Py.Truthy(left) ? Evaluate(binary.Right, frame) : left;
            case "or":
                return Py.Truthy(left) ? left : Evaluate(binary.Right, frame);
        }

        var right = Evaluate(binary.Right, frame);
        return binary.Op switch
        {
            "+" => Py.Add(left, right),
            "-" => Py.Subtract(left, right),
            "*" => Py.Multiply(left, right),
            "/" => Py.Divide(left, right),
            "//" => Py.FloorDivide(left, right),
            "%" => Py.Modulo(left, right),
            "**" => Py.Power(left, right),
            "~" => Concat(left, right),
            _ => throw new TemplateError(TemplateErrorKind.Runtime, $"unknown operator {binary.Op}"),
        };
    }

    private static string Concat(object? left, object? right)
    {
        var (a, b) = (Py.Str(left), Py.Str(right));
        Py.LimitLength(a.Length + (long)b.Length);
        return a + b;
    }

    /// <summary>A comparison chain: <c>a &lt; b &lt; c</c> is <c>a &lt; b and b &lt; c</c>, each operand read once.</summary>
    private bool EvaluateCompare(Compare compare, Frame frame)
    {
        var left = Evaluate(compare.First, frame);
        foreach (var (op, operand) in compare.Rest)
        {
            var right = Evaluate(operand, frame);
            var holds = op switch
            {
                "==" => Py.Equal(left, right),
                "!=" => !Py.Equal(left, right),
                "<" => Py.Less(left, right),
                ">" => Py.Less(right, left, ">"),
                "<=" => Py.LessOrEqual(left, right),
                ">=" => Py.LessOrEqual(right, left, ">="),
                "in" => Py.Contains(right, left),
                _ => !Py.Contains(right, left),
            };

            if (!holds)
            {
                return false;
            }

            left = right;
        }

        return true;
    }

    /// <summary>Applies a filter chain; a chain whose innermost target is empty filters <paramref name="blockValue"/>.</summary>
    private object? ApplyFilters(FilterExpr filter, object? blockValue, Frame frame)
    {
        var input = filter.Target switch
        {
            FilterExpr inner => ApplyFilters(inner, blockValue, frame),
            null => blockValue,
            var target => Evaluate(target, frame),
        };

        try
        {
            return FilterRegistry.Apply(filter.FilterName, input, EvaluateArguments(filter.Args, frame));
        }
        catch (TemplateError error) when (error.NoteLine(filter.Line))
        {
            throw;
        }
    }
}
