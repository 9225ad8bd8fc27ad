namespace Peft.ChatTemplates.Jinja.Runtime;

/// <summary>
/// The methods templates may call on strings, dicts, lists and tuples. Mutating methods exist in Python but the
/// immutable sandbox transformers uses hides them: looking one up gives an undefined that fails as a security error
/// when called.
/// </summary>
internal static class PyMethods
{
    private static readonly HashSet<string> UnsafeListMethods =
        ["append", "clear", "extend", "insert", "pop", "remove", "reverse", "sort"];

    private static readonly HashSet<string> UnsafeDictMethods = ["clear", "pop", "popitem", "setdefault", "update"];

    public static bool TryGet(object? owner, string name, out object? method)
    {
        Func<object?, CallArguments, object?>? body = owner switch
        {
            string => PyStringMethods.Find(name),
            Markup markup => PyStringMethods.Find(name) is { } text ? (_, args) => text(markup.Value, args) : null,
            PyDict => DictMethod(name),
            List<object?> => ListMethod(name),
            PyTuple => SequenceMethod(name),
            _ => null,
        };

        if (body is not null)
        {
            method = new BoundMethod(owner, name, body);
            return true;
        }

        if ((owner is List<object?> && UnsafeListMethods.Contains(name)) ||
            (owner is PyDict && UnsafeDictMethods.Contains(name)))
        {
            method = Undefined.Unsafe(owner, name);
            return true;
        }

        method = null;
        return false;
    }

    private static Func<object?, CallArguments, object?>? DictMethod(string name) => name switch
    {
        "get" => (self, args) =>
        {
            var a = args.PositionalOnly("get", 2);
            if (a.Count == 0)
            {
                throw TemplateError.TypeError("get expected at least 1 argument, got 0");
            }

            return ((PyDict)self!).TryGet(a[0], out var value)
                ? value
                : (a.Count > 1 ? a[1] : null);
        },
        "items" => (self, args) => NoArguments(args, "items", new DictView((PyDict)self!, DictViewKind.Items)),
        "keys" => (self, args) => NoArguments(args, "keys", new DictView((PyDict)self!, DictViewKind.Keys)),
        "values" => (self, args) => NoArguments(args, "values", new DictView((PyDict)self!, DictViewKind.Values)),
        "copy" => (self, args) => NoArguments(args, "copy", ((PyDict)self!).Copy()),
        _ => null,
    };

    private static Func<object?, CallArguments, object?>? ListMethod(string name) => name switch
    {
        "copy" => (self, args) => NoArguments(args, "copy", new List<object?>((List<object?>)self!)),
        _ => SequenceMethod(name),
    };

    private static Func<object?, CallArguments, object?>? SequenceMethod(string name) => name switch
    {
        "count" => (self, args) =>
        {
            var a = args.PositionalOnly("count", 1);
            return (long)Py.Iterate(self).Count(x => Py.Equal(x, a.Count > 0 ? a[0] : null));
        },
        "index" => (self, args) =>
        {
            var a = args.PositionalOnly("index", 3);
            var items = Py.ToList(self);
            for (var i = 0; i < items.Count; i++)
            {
                if (Py.Equal(items[i], a.Count > 0 ? a[0] : null))
                {
                    return (long)i;
                }
            }

            throw TemplateError.ValueError($"{Py.Repr(a.Count > 0 ? a[0] : null)} is not in {Py.TypeName(self)}");
        },
        _ => null,
    };

    private static object? NoArguments(CallArguments args, string name, object? result)
    {
        args.PositionalOnly(name, 0);
        return result;
    }
}
