using Peft.ChatTemplates.Jinja.Runtime;

namespace Peft.ChatTemplates.Jinja.Filters;

/// <summary>
/// jinja2's make_attrgetter: an attribute path like "details.priority" or "items.0", read with item-then-attribute
/// lookup, optionally defaulted when undefined and lower-cased for case-insensitive comparisons.
/// </summary>
internal static class AttributeGetter
{
    public static Func<object?, object?> Create(object? attribute, bool ignoreCase = false, object? fallback = null)
    {
        var parts = Parts(attribute);
        return item =>
        {
            foreach (var part in parts)
            {
                item = Py.GetItem(item, part);
                if (fallback is not null && item is Undefined)
                {
                    item = fallback;
                }
            }

            return ignoreCase ? IgnoreCase(item) : item;
        };
    }

    /// <summary>make_multi_attrgetter: "name,age" gives a list key; without an attribute the key is [item].</summary>
    public static Func<object?, object?> CreateMulti(object? attribute, bool ignoreCase)
    {
        var getters = attribute is string text
            ? text.Split(',').Select(part => Create(part, ignoreCase)).ToList()
            : [Create(attribute, ignoreCase)];
        return item => getters.Select(getter => getter(item)).ToList();
    }

    public static object? IgnoreCase(object? value) => Py.Plain(value) is string s ? s.ToLowerInvariant() : value;

    private static List<object?> Parts(object? attribute) => attribute switch
    {
        null => [],
        string s => [.. s.Split('.').Select(part => part.Length > 0 && part.All(char.IsAsciiDigit) ? (object?)long.Parse(part, System.Globalization.CultureInfo.InvariantCulture) : part)],
        _ => [attribute],
    };
}
