namespace Peft.ChatTemplates.Jinja.Runtime;

/// <summary>The evaluated arguments of a call: positional ones, then keyword ones in the order written.</summary>
internal sealed class CallArguments(IReadOnlyList<object?> positional, IReadOnlyList<KeyValuePair<string, object?>> named)
{
    public static CallArguments Empty { get; } = new([], []);

    public IReadOnlyList<object?> Positional { get; } = positional;

    public IReadOnlyList<KeyValuePair<string, object?>> Named { get; } = named;

    public int Count => Positional.Count + Named.Count;

    public static CallArguments Of(params object?[] positional) => new(positional, []);

    public CallArguments Prepend(object? first) => new([first, .. Positional], Named);

    /// <summary>
    /// Binds to a Python signature of positional-or-keyword parameters, refusing what Python refuses: too many
    /// positional arguments, unknown keywords, and a parameter given twice.
    /// </summary>
    public BoundArguments Bind(string function, params string[] parameters)
    {
        if (Positional.Count > parameters.Length)
        {
            throw TemplateError.TypeError(
                $"{function}() takes at most {parameters.Length} argument(s) ({Positional.Count} given)");
        }

        var values = new object?[parameters.Length];
        var present = new bool[parameters.Length];
        for (var i = 0; i < Positional.Count; i++)
        {
            values[i] = Positional[i];
            present[i] = true;
        }

        foreach (var (name, value) in Named)
        {
            var index = Array.IndexOf(parameters, name);
            if (index < 0)
            {
                throw TemplateError.TypeError($"{function}() got an unexpected keyword argument '{name}'");
            }

            if (present[index])
            {
                throw TemplateError.TypeError($"{function}() got multiple values for argument '{name}'");
            }

            values[index] = value;
            present[index] = true;
        }

        return new BoundArguments(function, parameters, values, present);
    }

    /// <summary>For functions that take no keyword arguments at all (most of Python's str methods).</summary>
    public IReadOnlyList<object?> PositionalOnly(string function, int max)
    {
        if (Named.Count > 0)
        {
            throw TemplateError.TypeError($"{function}() takes no keyword arguments");
        }

        if (Positional.Count > max)
        {
            throw TemplateError.TypeError($"{function}() takes at most {max} argument(s) ({Positional.Count} given)");
        }

        return Positional;
    }
}

/// <summary>Arguments bound to parameter names; absent ones fall back to the caller's default.</summary>
internal sealed class BoundArguments(string function, string[] parameters, object?[] values, bool[] present)
{
    public bool Has(int index) => present[index];

    public object? this[int index] => values[index];

    public object? Get(int index, object? fallback) => present[index] ? values[index] : fallback;

    public object? Required(int index) => present[index]
        ? values[index]
        : throw TemplateError.TypeError($"{function}() missing required argument: '{parameters[index]}'");
}
