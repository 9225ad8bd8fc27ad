using Peft.ChatTemplates.Jinja.Runtime;

namespace Peft.ChatTemplates.Jinja.Filters;

/// <summary>Filters over sequences and mappings. Those that are generators in jinja2 return <see cref="PyGenerator"/>.</summary>
internal static class SequenceFilters
{
    public static void Register(Dictionary<string, Filter> filters)
    {
        filters["length"] = (v, a) => NoArguments(a, "length", Py.Length(v));
        filters["count"] = filters["length"];
        filters["list"] = (v, a) => NoArguments(a, "list", Py.ToList(v));
        filters["first"] = (v, a) =>
        {
            a.Bind("first");
            foreach (var item in Py.Iterate(v))
            {
                return item;
            }

            return Undefined.WithMessage("No first item, sequence was empty.");
        };
        filters["last"] = (v, a) =>
        {
            a.Bind("last");
            foreach (var item in Py.Reversed(v))
            {
                return item;
            }

            return Undefined.WithMessage("No last item, sequence was empty.");
        };
        filters["join"] = (v, a) =>
        {
            var b = a.Bind("join", "d", "attribute");
            var items = Py.Iterate(v);
            if (b.Get(1, null) is { } attribute)
            {
                items = items.Select(AttributeGetter.Create(attribute));
            }

            var text = string.Join(Py.Str(b.Get(0, "")), items.Select(Py.Str));
            Py.LimitLength(text.Length);
            return text;
        };
        filters["reverse"] = Reverse;
        filters["sort"] = (v, a) =>
        {
            var b = a.Bind("sort", "reverse", "case_sensitive", "attribute");
            var key = AttributeGetter.CreateMulti(b.Get(2, null), ignoreCase: !Py.Truthy(b.Get(1, false)));
            return PySort.Sorted(Py.Iterate(v), key, Py.Truthy(b.Get(0, false)));
        };
        filters["dictsort"] = DictSort;
        filters["unique"] = (v, a) =>
        {
            var b = a.Bind("unique", "case_sensitive", "attribute");
            var key = AttributeGetter.Create(b.Get(1, null), ignoreCase: !Py.Truthy(b.Get(0, false)));
            return new PyGenerator(Unique(Py.Iterate(v), key));
        };
        filters["items"] = (v, a) =>
        {
            a.Bind("items");
            return v switch
            {
                Undefined => new PyGenerator([]),
                PyDict dict => new PyGenerator(new DictView(dict, DictViewKind.Items).Enumerate()),
                _ => throw TemplateError.TypeError("Can only get item pairs from a mapping."),
            };
        };
        filters["batch"] = (v, a) =>
        {
            var b = a.Bind("batch", "linecount", "fill_with");
            var size = (int)Py.Index(b.Required(0), "linecount");
            return new PyGenerator(Batch(Py.Iterate(v), Math.Max(size, 1), b.Has(1) ? b[1] : null, b.Has(1) && b[1] is not null));
        };
        filters["slice"] = (v, a) =>
        {
            var b = a.Bind("slice", "slices", "fill_with");
            var slices = (int)Py.Index(b.Required(0), "slices");
            return new PyGenerator(Slice(Py.ToList(v), slices, b.Get(1, null)));
        };
        filters["groupby"] = GroupBy;
        filters["sum"] = (v, a) =>
        {
            var b = a.Bind("sum", "attribute", "start");
            var items = Py.Iterate(v);
            if (b.Get(0, null) is { } attribute)
            {
                items = items.Select(AttributeGetter.Create(attribute));
            }

            var start = b.Get(1, 0L);
            return start is string
                ? throw TemplateError.TypeError("sum() can't sum strings [use ''.join(seq) instead]")
                : items.Aggregate(start, Py.Add);
        };
        filters["min"] = (v, a) => MinOrMax(v, a, "min", max: false);
        filters["max"] = (v, a) => MinOrMax(v, a, "max", max: true);
    }

    private static object? NoArguments(CallArguments arguments, string filter, object? result)
    {
        arguments.Bind(filter);
        return result;
    }

    /// <summary>reverse: strings reversed, sequences as a reverse iterator, other iterables as a reversed list.</summary>
    private static object? Reverse(object? value, CallArguments arguments)
    {
        arguments.Bind("reverse");
        return value switch
        {
            string or Markup => PyStrings.Reverse(Py.Str(value)),
            List<object?> or PyTuple or PyRange or PyDict or DictView or Undefined =>
                new PyGenerator(Py.Reversed(value), value is PyDict ? "dict_reversekeyiterator" : "list_reverseiterator"),
            string or PyGenerator => Enumerable.Reverse(Py.ToList(value)).ToList(),
            _ => throw new TemplateError(TemplateErrorKind.Runtime, "argument must be iterable"),
        };
    }

    private static object? DictSort(object? value, CallArguments arguments)
    {
        var b = arguments.Bind("dictsort", "case_sensitive", "by", "reverse");
        var position = Py.Str(b.Get(1, "key")) switch
        {
            "key" => 0,
            "value" => 1,
            _ => throw new TemplateError(TemplateErrorKind.Runtime, "You can only sort by either \"key\" or \"value\""),
        };
        var dict = value switch
        {
            PyDict d => d,
            Undefined u => throw u.Fail(),
            _ => throw new TemplateError(TemplateErrorKind.Attribute, $"'{Py.TypeName(value)}' object has no attribute 'items'"),
        };
        var ignoreCase = !Py.Truthy(b.Get(0, false));
        object? Key(object? pair)
        {
            var item = ((PyTuple)pair!)[position];
            return ignoreCase ? AttributeGetter.IgnoreCase(item) : item;
        }

        return PySort.Sorted(new DictView(dict, DictViewKind.Items).Enumerate(), Key, Py.Truthy(b.Get(2, false)));
    }

    private static IEnumerable<object?> Unique(IEnumerable<object?> items, Func<object?, object?> key)
    {
        var seen = new HashSet<object>(PyKeyComparer.Instance);
        foreach (var item in items)
        {
            if (seen.Add(PyKeyComparer.Box(key(item))))
            {
                yield return item;
            }
        }
    }

    private static IEnumerable<object?> Batch(IEnumerable<object?> items, int size, object? fill, bool filling)
    {
        var batch = new List<object?>();
        foreach (var item in items)
        {
            if (batch.Count == size)
            {
                yield return batch;
                batch = [];
            }

            batch.Add(item);
        }

        if (batch.Count > 0)
        {
            while (filling && batch.Count < size)
            {
                batch.Add(fill);
            }

            yield return batch;
        }
    }

    private static IEnumerable<object?> Slice(List<object?> items, int slices, object? fill)
    {
        var perSlice = items.Count / slices;
        var withExtra = items.Count % slices;
        var offset = 0;
        for (var number = 0; number < slices; number++)
        {
            var start = offset + (number * perSlice);
            if (number < withExtra)
            {
                offset++;
            }

            var end = offset + ((number + 1) * perSlice);
            var slice = items.GetRange(start, end - start);
            if (fill is not null && number >= withExtra)
            {
                slice.Add(fill);
            }

            yield return slice;
        }
    }

    /// <summary>groupby(attribute, default=None, case_sensitive=False): sorted groups as (grouper, list) tuples.</summary>
    private static object? GroupBy(object? value, CallArguments arguments)
    {
        var b = arguments.Bind("groupby", "attribute", "default", "case_sensitive");
        var attribute = b.Required(0);
        var fallback = b.Get(1, null);
        var caseSensitive = Py.Truthy(b.Get(2, false));
        var key = AttributeGetter.Create(attribute, ignoreCase: !caseSensitive, fallback);
        var display = AttributeGetter.Create(attribute, ignoreCase: false, fallback);
        var groups = new List<object?>();
        List<object?>? current = null;
        object? currentKey = null;
        foreach (var item in PySort.Sorted(Py.Iterate(value), key, reverse: false))
        {
            var itemKey = key(item);
            if (current is null || !Py.Equal(itemKey, currentKey))
            {
                current = [];
                currentKey = itemKey;
                groups.Add(current);
            }

            current.Add(item);
        }

        return groups.Select(g => (object?)new GroupTuple(
            caseSensitive ? key(((List<object?>)g!)[0]) : display(((List<object?>)g!)[0]),
            (List<object?>)g!)).ToList();
    }

    private static object? MinOrMax(object? value, CallArguments arguments, string name, bool max)
    {
        var b = arguments.Bind(name, "case_sensitive", "attribute");
        var key = AttributeGetter.Create(b.Get(1, null), ignoreCase: !Py.Truthy(b.Get(0, false)));
        var found = false;
        object? best = null;
        object? bestKey = null;
        foreach (var item in Py.Iterate(value))
        {
            var itemKey = key(item);
            if (!found || (max ? Py.Less(bestKey, itemKey) : Py.Less(itemKey, bestKey)))
            {
                (found, best, bestKey) = (true, item, itemKey);
            }
        }

        return found ? best : Undefined.WithMessage("No aggregated item, sequence was empty.");
    }
}
