using Peft.ChatTemplates.Jinja.Runtime;

namespace Peft.ChatTemplates.Jinja.Filters;

/// <summary>default, attr, tojson (transformers' json.dumps version), pprint and random.</summary>
internal static class ValueFilters
{
    public static void Register(Dictionary<string, Filter> filters)
    {
        filters["default"] = (v, a) =>
        {
            var b = a.Bind("default", "default_value", "boolean");
            return v is Undefined || (Py.Truthy(b.Get(1, false)) && !Py.Truthy(v)) ? b.Get(0, "") : v;
        };
        filters["d"] = filters["default"];
        filters["attr"] = (v, a) =>
        {
            var name = Py.Str(a.Bind("attr", "name").Required(0));
            if (v is Undefined u)
            {
                throw u.Fail();
            }

            return PyMethods.TryGet(v, name, out var method) ? method
                : v is IHasAttributes owner && owner.TryGetAttribute(name, out var attribute) ? attribute
                : Undefined.Attribute(v, name);
        };

        // transformers replaces jinja2's tojson with json.dumps(x, ensure_ascii=False, indent=None,
        // separators=None, sort_keys=False): no HTML escaping, and these options in this positional order.
        filters["tojson"] = (v, a) =>
        {
            var b = a.Bind("tojson", "ensure_ascii", "indent", "separators", "sort_keys");
            return PyJson.Dumps(v, Py.Truthy(b.Get(0, false)), b.Get(1, null), b.Get(2, null), Py.Truthy(b.Get(3, false)));
        };
        filters["pprint"] = (v, a) =>
        {
            a.Bind("pprint");
            return Py.Repr(v);
        };
        filters["random"] = (v, a) =>
        {
            a.Bind("random");
            var items = Py.ToList(v);
            return items.Count == 0
                ? Undefined.WithMessage("No random item, sequence was empty.")
                : items[Random.Shared.Next(items.Count)];
        };
    }
}
