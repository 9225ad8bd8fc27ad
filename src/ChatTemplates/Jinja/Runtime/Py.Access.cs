namespace Peft.ChatTemplates.Jinja.Runtime;

internal static partial class Py
{
    /// <summary>
    /// <c>obj.name</c> as jinja2's sandbox resolves it: the Python attribute first (so <c>d.items</c> is the method
    /// even when the dict has an "items" key), then the item, else undefined. Attribute access on undefined fails.
    /// </summary>
    public static object? GetAttribute(object? owner, string name)
    {
        if (owner is Undefined undefined)
        {
            throw undefined.Fail();
        }

        if (PyMethods.TryGet(owner, name, out var method))
        {
            return method;
        }

        if (owner is IHasAttributes withAttributes && withAttributes.TryGetAttribute(name, out var attribute))
        {
            return attribute;
        }

        return owner is PyDict dict && dict.TryGet(name, out var item) ? item : Undefined.Attribute(owner, name);
    }

    /// <summary>
    /// <c>obj[key]</c> as jinja2's sandbox resolves it: the item first, then (for a string key) the attribute, else
    /// undefined. Out-of-range indexes give undefined, not an error; subscripting undefined fails.
    /// </summary>
    public static object? GetItem(object? owner, object? key)
    {
        if (owner is Undefined undefined)
        {
            throw undefined.Fail();
        }

        if (TryGetItem(owner, key, out var item))
        {
            return item;
        }

        if (key is string name)
        {
            if (PyMethods.TryGet(owner, name, out var method))
            {
                return method;
            }

            if (owner is IHasAttributes withAttributes && withAttributes.TryGetAttribute(name, out var attribute))
            {
                return attribute;
            }
        }

        return Undefined.Item(owner, key);
    }

    private static bool TryGetItem(object? owner, object? key, out object? item)
    {
        item = null;
        (owner, key) = (Plain(owner), Plain(key));
        switch (owner)
        {
            case PyDict dict:
                return key is not (List<object?> or PyDict) && dict.TryGet(key, out item);
            case List<object?> list when IsIntegral(key):
                return TryIndex(list.Count, AsLong(key), out var i) && Assign(list[i], out item);
            case PyTuple tuple when IsIntegral(key):
                return TryIndex(tuple.Count, AsLong(key), out var t) && Assign(tuple[t], out item);
            case PyRange range when IsIntegral(key):
                return TryIndex((int)range.Count, AsLong(key), out var r) && Assign(range[r], out item);
            case string s when IsIntegral(key):
                return PyStrings.TryCharacterAt(s, AsLong(key), out item);
            default:
                return false;
        }
    }

    private static bool Assign(object? value, out object? item)
    {
        item = value;
        return true;
    }

    private static bool TryIndex(int count, long index, out int position)
    {
        var normalized = index < 0 ? index + count : index;
        position = (int)normalized;
        return normalized >= 0 && normalized < count;
    }

    /// <summary><c>obj[start:stop:step]</c> with Python's clamping and negative steps.</summary>
    public static object? Slice(object? owner, object? start, object? stop, object? step)
    {
        if (owner is Undefined undefined)
        {
            throw undefined.Fail();
        }

        owner = Plain(owner);
        var stepValue = step is null ? 1 : Index(step, "slice indices");
        if (stepValue == 0)
        {
            throw TemplateError.ValueError("slice step cannot be zero");
        }

        switch (owner)
        {
            case string s:
                var characters = PyStrings.Characters(s).Cast<string>().ToList();
                return string.Concat(SliceItems(characters, start, stop, stepValue));
            case List<object?> list:
                return SliceItems(list, start, stop, stepValue);
            case PyTuple tuple:
                return new PyTuple(SliceItems(tuple.Items, start, stop, stepValue));
            case PyRange range:
                return SliceItems([.. range.Enumerate()], start, stop, stepValue);
            case PyDict:
                throw TemplateError.TypeError("unhashable type: 'slice'");
            default:
                throw TemplateError.TypeError($"'{TypeName(owner)}' object is not subscriptable");
        }
    }

    private static List<T> SliceItems<T>(IReadOnlyList<T> items, object? start, object? stop, long step)
    {
        long count = items.Count;
        long Bound(object? value, long fallback)
        {
            if (value is null)
            {
                return fallback;
            }

            var index = Index(value, "slice indices");
            if (index < 0)
            {
                index += count;
                return index < 0 ? (step < 0 ? -1 : 0) : index;
            }

            return index >= count ? (step < 0 ? count - 1 : count) : index;
        }

        var from = Bound(start, step < 0 ? count - 1 : 0);
        var to = Bound(stop, step < 0 ? -1 : count);
        var result = new List<T>();
        for (var i = from; step > 0 ? i < to : i > to; i += step)
        {
            result.Add(items[(int)i]);
        }

        return result;
    }
}
