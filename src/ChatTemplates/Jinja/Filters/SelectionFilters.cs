using Peft.ChatTemplates.Jinja.Runtime;
using Peft.ChatTemplates.Jinja.Tests;

namespace Peft.ChatTemplates.Jinja.Filters;

/// <summary>select, reject, selectattr, rejectattr and map: lazy, as jinja2's generators are.</summary>
internal static class SelectionFilters
{
    public static void Register(Dictionary<string, Filter> filters)
    {
        filters["select"] = (v, a) => Select(v, a, byAttribute: false, keep: true);
        filters["reject"] = (v, a) => Select(v, a, byAttribute: false, keep: false);
        filters["selectattr"] = (v, a) => Select(v, a, byAttribute: true, keep: true);
        filters["rejectattr"] = (v, a) => Select(v, a, byAttribute: true, keep: false);
        filters["map"] = Map;
    }

    private static PyGenerator Select(object? value, CallArguments arguments, bool byAttribute, bool keep)
    {
        var args = arguments.Positional;
        Func<object?, object?> transform = x => x;
        var offset = 0;
        if (byAttribute)
        {
            transform = args.Count > 0
                ? AttributeGetter.Create(args[0])
                : throw new TemplateError(TemplateErrorKind.Runtime, "Missing parameter for attribute name");
            offset = 1;
        }

        Func<object?, bool> test;
        if (args.Count > offset)
        {
            var name = Py.Str(args[offset]);
            var testArguments = new CallArguments([.. args.Skip(offset + 1)], arguments.Named);
            test = item => TestRegistry.Apply(name, item, testArguments);
        }
        else
        {
            test = Py.Truthy;
        }

        return new PyGenerator(Py.Truthy(value) ? Filtered(Py.Iterate(value), item => test(transform(item)) == keep) : []);
    }

    private static IEnumerable<object?> Filtered(IEnumerable<object?> items, Func<object?, bool> keep)
    {
        foreach (var item in items)
        {
            if (keep(item))
            {
                yield return item;
            }
        }
    }

    /// <summary>map(attribute='x', default=...) reads an attribute; map('filter', args...) applies a filter.</summary>
    private static PyGenerator Map(object? value, CallArguments arguments)
    {
        Func<object?, object?> function;
        var attribute = arguments.Named.FirstOrDefault(n => n.Key == "attribute");
        if (arguments.Positional.Count == 0 && attribute.Key is not null)
        {
            var fallback = arguments.Named.FirstOrDefault(n => n.Key == "default").Value;
            var unexpected = arguments.Named.FirstOrDefault(n => n.Key is not ("attribute" or "default"));
            if (unexpected.Key is not null)
            {
                throw new TemplateError(TemplateErrorKind.Runtime, $"Unexpected keyword argument '{unexpected.Key}'");
            }

            function = AttributeGetter.Create(attribute.Value, fallback: fallback);
        }
        else if (arguments.Positional.Count > 0)
        {
            var name = Py.Str(arguments.Positional[0]);
            var filterArguments = new CallArguments([.. arguments.Positional.Skip(1)], arguments.Named);
            function = item => FilterRegistry.Apply(name, item, filterArguments);
        }
        else
        {
            throw new TemplateError(TemplateErrorKind.Runtime, "map requires a filter argument");
        }

        return new PyGenerator(Py.Truthy(value) ? Py.Iterate(value).Select(function) : []);
    }
}
