namespace Peft.ChatTemplates.Jinja.Runtime;

/// <summary>
/// Python's semantics for the values templates see. Values are plain CLR objects: null (None), bool, long (int),
/// double (float), string (str), <see cref="List{T}"/> of object (list), <see cref="PyTuple"/>, <see cref="PyDict"/>,
/// <see cref="Undefined"/>, and the runtime types of this folder.
/// </summary>
internal static partial class Py
{
    public static string TypeName(object? value) => value switch
    {
        null => "NoneType",
        bool => "bool",
        long => "int",
        double => "float",
        string => "str",
        Markup => "Markup",
        List<object?> => "list",
        GroupTuple => "_GroupTuple",
        PyTuple => "tuple",
        PyDict => "dict",
        Undefined => "Undefined",
        Namespace => "Namespace",
        PyRange => "range",
        DictView view => view.TypeName,
        PyGenerator generator => generator.TypeName,
        BoundMethod => "builtin_function_or_method",
        JinjaCallable => "function",
        _ => value.GetType().Name,
    };

    /// <summary>How jinja2 names an object in "... has no attribute ..." messages.</summary>
    public static string ObjectDescription(object? value) =>
        value is null ? "'None'" : $"'{TypeName(value)} object'";

    public static bool Truthy(object? value) => value switch
    {
        null => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        Markup m => m.Value.Length > 0,
        List<object?> list => list.Count > 0,
        PyTuple tuple => tuple.Count > 0,
        PyDict dict => dict.Count > 0,
        Undefined => false,
        PyRange range => range.Count > 0,
        DictView view => view.Dict.Count > 0,
        _ => true,
    };

    /// <summary>int, float or bool (bool is an int in Python).</summary>
    public static bool IsNumber(object? value) => value is long or double or bool;

    /// <summary>int or bool: the integral numbers.</summary>
    public static bool IsIntegral(object? value) => value is long or bool;

    public static long AsLong(object? value) => value switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        _ => throw new InvalidOperationException("not an integral value"),
    };

    public static double AsDouble(object? value) => value switch
    {
        double d => d,
        long l => l,
        bool b => b ? 1 : 0,
        _ => throw new InvalidOperationException("not a number"),
    };

    /// <summary>An index argument: int or bool, as Python's __index__ accepts.</summary>
    public static long Index(object? value, string what) => value switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        Undefined u => throw u.Fail(),
        _ => throw TemplateError.TypeError(
            $"{what} must be integers or slices, not {TypeName(value)}"),
    };

    /// <summary>Markup reads as its text: the plain view of a value for operations that do not care.</summary>
    public static object? Plain(object? value) => value is Markup markup ? markup.Value : value;

    /// <summary>Fails with the first undefined operand's own message, as any Python operator on Undefined does.</summary>
    public static void ThrowIfUndefined(object? a, object? b = null)
    {
        if (a is Undefined ua)
        {
            throw ua.Fail();
        }

        if (b is Undefined ub)
        {
            throw ub.Fail();
        }
    }
}
