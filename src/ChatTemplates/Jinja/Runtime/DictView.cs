namespace Peft.ChatTemplates.Jinja.Runtime;

internal enum DictViewKind
{
    Keys,
    Values,
    Items,
}

/// <summary>What <c>dict.keys()</c>, <c>.values()</c> and <c>.items()</c> return: a live, re-iterable view with a length.</summary>
internal sealed class DictView(PyDict dict, DictViewKind kind)
{
    public PyDict Dict { get; } = dict;

    public DictViewKind Kind { get; } = kind;

    public string TypeName => Kind switch
    {
        DictViewKind.Keys => "dict_keys",
        DictViewKind.Values => "dict_values",
        _ => "dict_items",
    };

    public IEnumerable<object?> Enumerate() => Kind switch
    {
        DictViewKind.Keys => Dict.Keys,
        DictViewKind.Values => Dict.Values,
        _ => Dict.Entries.Select(e => (object?)PyTuple.Of(e.Key, e.Value)),
    };
}
