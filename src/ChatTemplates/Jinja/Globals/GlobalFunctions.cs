using Peft.ChatTemplates.Jinja.Runtime;

namespace Peft.ChatTemplates.Jinja.Globals;

/// <summary>
/// The names every template sees: jinja2's globals (range, dict, namespace, cycler, joiner) and the two transformers
/// adds (raise_exception, strftime_now). Render variables shadow them.
/// </summary>
internal static class GlobalFunctions
{
    public static IEnumerable<KeyValuePair<string, object?>> Create(TimeProvider clock)
    {
        yield return new("range", new BuiltinFunction("range", Range));
        yield return new("dict", new BuiltinFunction("dict", Dict));
        yield return new("namespace", new BuiltinFunction("namespace", arguments =>
        {
            var ns = new Namespace();
            foreach (var (key, value) in Dict(arguments).Entries)
            {
                ns.Attributes.Set(key, value);
            }

            return ns;
        }));
        yield return new("cycler", new BuiltinFunction("cycler", arguments =>
        {
            var items = arguments.PositionalOnly("cycler", int.MaxValue);
            return items.Count == 0
                ? throw new TemplateError(TemplateErrorKind.Runtime, "at least one item has to be provided")
                : new Cycler([.. items]);
        }));
        yield return new("joiner", new BuiltinFunction("joiner", arguments =>
            new Joiner(Py.Str(arguments.Bind("joiner", "sep").Get(0, ", ")))));
        yield return new("raise_exception", new BuiltinFunction("raise_exception", arguments =>
        {
            var message = arguments.Bind("raise_exception", "message").Get(0, "");
            throw new TemplateError(TemplateErrorKind.Raised, Py.Str(message));
        }));
        yield return new("strftime_now", new BuiltinFunction("strftime_now", arguments =>
        {
            var format = arguments.Bind("strftime_now", "format").Required(0);
            return PyStrftime.Format(clock.GetLocalNow().DateTime, Py.Str(format));
        }));
    }

    /// <summary>range(stop) / range(start, stop[, step]), limited as the sandbox limits it.</summary>
    private static object? Range(CallArguments arguments)
    {
        var a = arguments.PositionalOnly("range", 3);
        long Int(object? value) => value is long or bool
            ? Py.AsLong(value)
            : throw TemplateError.TypeError($"'{Py.TypeName(value)}' object cannot be interpreted as an integer");
        return a.Count switch
        {
            0 => throw TemplateError.TypeError("range expected at least 1 argument, got 0"),
            1 => new PyRange(0, Int(a[0]), 1),
            2 => new PyRange(Int(a[0]), Int(a[1]), 1),
            _ => new PyRange(Int(a[0]), Int(a[1]), Int(a[2])),
        };
    }

    /// <summary>dict(mapping_or_pairs, **kwargs).</summary>
    private static PyDict Dict(CallArguments arguments)
    {
        if (arguments.Positional.Count > 1)
        {
            throw TemplateError.TypeError($"dict expected at most 1 argument, got {arguments.Positional.Count}");
        }

        var dict = new PyDict();
        if (arguments.Positional.Count == 1)
        {
            var source = arguments.Positional[0];
            if (source is PyDict mapping)
            {
                foreach (var (key, value) in mapping.Entries)
                {
                    dict.Set(key, value);
                }
            }
            else
            {
                foreach (var pair in Py.Iterate(source))
                {
                    var items = Py.ToList(pair);
                    if (items.Count != 2)
                    {
                        throw TemplateError.ValueError(
                            $"dictionary update sequence element has length {items.Count}; 2 is required");
                    }

                    dict.Set(items[0], items[1]);
                }
            }
        }

        foreach (var (key, value) in arguments.Named)
        {
            dict.Set(key, value);
        }

        return dict;
    }
}
