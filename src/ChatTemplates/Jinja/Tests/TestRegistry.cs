using Peft.ChatTemplates.Jinja.Filters;
using Peft.ChatTemplates.Jinja.Runtime;

namespace Peft.ChatTemplates.Jinja.Tests;

/// <summary>A test: <c>value is name(arguments)</c>.</summary>
internal delegate bool Test(object? value, CallArguments arguments);

/// <summary>jinja2's built-in tests, with Python's notion of each type (bool is a number but not an integer).</summary>
internal static class TestRegistry
{
    private static readonly Dictionary<string, Test> Tests = Build();

    public static bool Contains(string name) => Tests.ContainsKey(name);

    public static bool Apply(string name, object? value, CallArguments arguments) =>
        Tests.TryGetValue(name, out var test)
            ? test(value, arguments)
            : throw new TemplateError(TemplateErrorKind.Runtime, $"No test named '{name}' found.");

    private static Dictionary<string, Test> Build()
    {
        var tests = new Dictionary<string, Test>(StringComparer.Ordinal)
        {
            ["defined"] = (v, a) => None(a, "defined", v is not Undefined),
            ["undefined"] = (v, a) => None(a, "undefined", v is Undefined),
            ["none"] = (v, a) => None(a, "none", v is null),
            ["boolean"] = (v, a) => None(a, "boolean", v is bool),
            ["true"] = (v, a) => None(a, "true", v is true),
            ["false"] = (v, a) => None(a, "false", v is false),
            ["integer"] = (v, a) => None(a, "integer", v is long),
            ["float"] = (v, a) => None(a, "float", v is double),
            ["number"] = (v, a) => None(a, "number", Py.IsNumber(v)),
            ["string"] = (v, a) => None(a, "string", v is string or Markup),
            ["mapping"] = (v, a) => None(a, "mapping", v is PyDict),
            ["sequence"] = (v, a) => None(a, "sequence",
                v is string or Markup or List<object?> or PyTuple or PyDict or PyRange or Undefined),
            ["iterable"] = (v, a) => None(a, "iterable",
                v is string or Markup or List<object?> or PyTuple or PyDict or PyRange or DictView or PyGenerator or Undefined),
            ["callable"] = (v, a) => None(a, "callable", v is JinjaCallable or Undefined),
            ["lower"] = (v, a) => None(a, "lower", PyStrings.IsLower(Py.Str(v))),
            ["upper"] = (v, a) => None(a, "upper", PyStrings.IsUpper(Py.Str(v))),
            ["escaped"] = (v, a) => None(a, "escaped", v is Markup),
            ["odd"] = (v, a) => None(a, "odd", Py.Equal(Py.Modulo(v, 2L), 1L)),
            ["even"] = (v, a) => None(a, "even", Py.Equal(Py.Modulo(v, 2L), 0L)),
            ["divisibleby"] = (v, a) => Py.Equal(Py.Modulo(v, One(a, "divisibleby")), 0L),
            ["sameas"] = (v, a) => SameAs(v, One(a, "sameas")),
            ["in"] = (v, a) => Py.Contains(One(a, "in"), v),
            ["filter"] = (v, a) => None(a, "filter", v is string name && FilterRegistry.Contains(name)),
            ["test"] = (v, a) => None(a, "test", v is string name && Contains(name)),
        };

        Alias(tests, (v, o) => Py.Equal(v, o), "eq", "equalto", "==");
        Alias(tests, (v, o) => !Py.Equal(v, o), "ne", "!=");
        Alias(tests, (v, o) => Py.Less(v, o), "lt", "lessthan", "<");
        Alias(tests, (v, o) => Py.LessOrEqual(v, o), "le", "<=");
        Alias(tests, (v, o) => Py.Less(o, v, ">"), "gt", "greaterthan", ">");
        Alias(tests, (v, o) => Py.LessOrEqual(o, v, ">="), "ge", ">=");
        return tests;
    }

    private static void Alias(Dictionary<string, Test> tests, Func<object?, object?, bool> compare, params string[] names)
    {
        foreach (var name in names)
        {
            tests[name] = (v, a) => compare(v, One(a, name));
        }
    }

    private static bool None(CallArguments arguments, string test, bool result)
    {
        arguments.Bind(test);
        return result;
    }

    private static object? One(CallArguments arguments, string test) => arguments.Bind(test, "other").Required(0);

    /// <summary>Python's <c>is</c>: None, booleans and small ints are singletons, equal literals are interned; other values by reference.</summary>
    private static bool SameAs(object? value, object? other) => (value, other) switch
    {
        (null, null) => true,
        (bool a, bool b) => a == b,
        (long a, long b) => a == b && a is >= -5 and <= 256,
        (string a, string b) => string.Equals(a, b, StringComparison.Ordinal),
        _ => ReferenceEquals(value, other),
    };
}
