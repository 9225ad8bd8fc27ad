using Peft.ChatTemplates.Jinja.Runtime;

namespace Peft.ChatTemplates.Jinja.Filters;

/// <summary>A filter: the value left of the pipe, and the call's arguments.</summary>
internal delegate object? Filter(object? value, CallArguments arguments);

/// <summary>jinja2's built-in filters, with transformers' <c>tojson</c> in place of jinja2's HTML-safe one.</summary>
internal static class FilterRegistry
{
    private static readonly Dictionary<string, Filter> Filters = Build();

    public static bool Contains(string name) => Filters.ContainsKey(name);

    public static object? Apply(string name, object? value, CallArguments arguments) =>
        Filters.TryGetValue(name, out var filter)
            ? filter(value, arguments)
            : throw new TemplateError(TemplateErrorKind.Runtime, $"No filter named '{name}' found.");

    private static Dictionary<string, Filter> Build()
    {
        var filters = new Dictionary<string, Filter>(StringComparer.Ordinal);
        StringFilters.Register(filters);
        SequenceFilters.Register(filters);
        SelectionFilters.Register(filters);
        NumberFilters.Register(filters);
        ValueFilters.Register(filters);
        return filters;
    }
}
