namespace Peft.ChatTemplates.Jinja.Runtime;

internal static partial class Py
{
    /// <summary>Longest string an operator may build; a template cannot make the server allocate without bound.</summary>
    public const int MaxStringLength = 64 * 1024 * 1024;

    public static object? Add(object? a, object? b)
    {
        ThrowIfUndefined(a, b);
        switch (a, b)
        {
            case (Markup x, string or Markup):
                return new Markup((string)Add(x.Value, Markup.Escape(b).Value)!);
            case (string, Markup y):
                return new Markup((string)Add(Markup.Escape(a).Value, y.Value)!);
            case (double or long or bool, double or long or bool):
                return IsIntegral(a) && IsIntegral(b) ? (object)Checked(() => checked(AsLong(a) + AsLong(b))) : AsDouble(a) + AsDouble(b);
            case (string x, string y):
                LimitLength(x.Length + (long)y.Length);
                return string.Concat(x, y);
            case (List<object?> x, List<object?> y):
                return new List<object?>([.. x, .. y]);
            case (PyTuple x, PyTuple y):
                return new PyTuple([.. x.Items, .. y.Items]);
            case (string or List<object?> or PyTuple, _):
                throw TemplateError.TypeError(
                    $"can only concatenate {TypeName(a)} (not \"{TypeName(b)}\") to {TypeName(a)}");
            default:
                throw Unsupported("+", a, b);
        }
    }

    public static object? Subtract(object? a, object? b)
    {
        ThrowIfUndefined(a, b);
        RequireNumbers("-", a, b);
        return IsIntegral(a) && IsIntegral(b) ? (object)Checked(() => checked(AsLong(a) - AsLong(b))) : AsDouble(a) - AsDouble(b);
    }

    public static object? Multiply(object? a, object? b)
    {
        ThrowIfUndefined(a, b);
        switch (a, b)
        {
            case (double or long or bool, double or long or bool):
                return IsIntegral(a) && IsIntegral(b) ? (object)Checked(() => checked(AsLong(a) * AsLong(b))) : AsDouble(a) * AsDouble(b);
            case (Markup m, long or bool):
                return new Markup(Repeat(m.Value, AsLong(b)));
            case (string s, long or bool):
                return Repeat(s, AsLong(b));
            case (long or bool, string s):
                return Repeat(s, AsLong(a));
            case (List<object?> list, long or bool):
                return RepeatItems(list, AsLong(b));
            case (long or bool, List<object?> list):
                return RepeatItems(list, AsLong(a));
            case (PyTuple tuple, long or bool):
                return new PyTuple(RepeatItems(tuple.Items, AsLong(b)));
            case (long or bool, PyTuple tuple):
                return new PyTuple(RepeatItems(tuple.Items, AsLong(a)));
            default:
                throw Unsupported("*", a, b);
        }
    }

    public static object? Divide(object? a, object? b)
    {
        ThrowIfUndefined(a, b);
        RequireNumbers("/", a, b);
        var divisor = AsDouble(b);
        return divisor == 0 ? throw DivisionByZero("division by zero") : AsDouble(a) / divisor;
    }

    public static object? FloorDivide(object? a, object? b)
    {
        ThrowIfUndefined(a, b);
        RequireNumbers("//", a, b);
        if (IsIntegral(a) && IsIntegral(b))
        {
            var (x, y) = (AsLong(a), AsLong(b));
            if (y == 0)
            {
                throw DivisionByZero("integer division or modulo by zero");
            }

            var quotient = x / y;
            return (x % y != 0 && (x < 0) != (y < 0)) ? quotient - 1 : quotient;
        }

        var divisor = AsDouble(b);
        return divisor == 0 ? throw DivisionByZero("float floor division by zero") : Math.Floor(AsDouble(a) / divisor);
    }

    public static object? Modulo(object? a, object? b)
    {
        if (a is string format)
        {
            return PyPercentFormat.Format(format, b);
        }

        if (a is Markup markup)
        {
            var escaped = b switch
            {
                PyTuple tuple => new PyTuple([.. tuple.Items.Select(item => (object?)Markup.Escape(item))]),
                PyDict => b,
                _ => Markup.Escape(b),
            };
            return new Markup(PyPercentFormat.Format(markup.Value, escaped));
        }

        ThrowIfUndefined(a, b);
        RequireNumbers("%", a, b);
        if (IsIntegral(a) && IsIntegral(b))
        {
            var (x, y) = (AsLong(a), AsLong(b));
            if (y == 0)
            {
                throw DivisionByZero("integer division or modulo by zero");
            }

            var remainder = x % y;
            return remainder != 0 && (remainder < 0) != (y < 0) ? remainder + y : remainder;
        }

        var (dx, dy) = (AsDouble(a), AsDouble(b));
        if (dy == 0)
        {
            throw DivisionByZero("float modulo");
        }

        var r = dx % dy;
        return r != 0 && (r < 0) != (dy < 0) ? r + dy : r;
    }

    public static object? Power(object? a, object? b)
    {
        ThrowIfUndefined(a, b);
        RequireNumbers("**", a, b);
        if (IsIntegral(a) && IsIntegral(b) && AsLong(b) >= 0)
        {
            var (x, y) = (AsLong(a), AsLong(b));
            return Checked(() =>
            {
                long result = 1;
                while (y > 0)
                {
                    if ((y & 1) == 1)
                    {
                        result = checked(result * x);
                    }

                    y >>= 1;
                    if (y > 0)
                    {
                        x = checked(x * x);
                    }
                }

                return result;
            });
        }

        if (AsDouble(a) == 0 && AsDouble(b) < 0)
        {
            throw DivisionByZero("0.0 cannot be raised to a negative power");
        }

        return Math.Pow(AsDouble(a), AsDouble(b));
    }

    public static object? Negate(object? value) => value switch
    {
        Undefined u => throw u.Fail(),
        long or bool => (object)Checked(() => checked(-AsLong(value))),
        double d => -d,
        _ => throw TemplateError.TypeError($"bad operand type for unary -: '{TypeName(value)}'"),
    };

    public static object? Plus(object? value) => value switch
    {
        Undefined u => throw u.Fail(),
        long or bool => (object)AsLong(value),
        double d => d,
        _ => throw TemplateError.TypeError($"bad operand type for unary +: '{TypeName(value)}'"),
    };

    private static void RequireNumbers(string op, object? a, object? b)
    {
        if (!IsNumber(a) || !IsNumber(b))
        {
            throw Unsupported(op, a, b);
        }
    }

    private static TemplateError Unsupported(string op, object? a, object? b) => TemplateError.TypeError(
        $"unsupported operand type(s) for {op}: '{TypeName(a)}' and '{TypeName(b)}'");

    private static TemplateError DivisionByZero(string message) => new(TemplateErrorKind.ZeroDivision, message);

    private static long Checked(Func<long> operation)
    {
        try
        {
            return operation();
        }
        catch (OverflowException)
        {
            throw new TemplateError(TemplateErrorKind.Overflow, "integer result too large for this engine (64-bit)");
        }
    }

    public static void LimitLength(long length)
    {
        if (length > MaxStringLength)
        {
            throw new TemplateError(TemplateErrorKind.Overflow, $"string longer than {MaxStringLength} characters");
        }
    }

    private static string Repeat(string s, long times)
    {
        if (times <= 0 || s.Length == 0)
        {
            return "";
        }

        LimitLength(s.Length * times);
        return string.Concat(Enumerable.Repeat(s, (int)times));
    }

    private static List<object?> RepeatItems(IReadOnlyList<object?> items, long times)
    {
        if (times <= 0 || items.Count == 0)
        {
            return [];
        }

        LimitLength(items.Count * times);
        var result = new List<object?>();
        for (long i = 0; i < times; i++)
        {
            result.AddRange(items);
        }

        return result;
    }
}
