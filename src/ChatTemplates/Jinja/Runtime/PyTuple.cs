namespace Peft.ChatTemplates.Jinja.Runtime;

/// <summary>A Python tuple: an immutable sequence, printed with parentheses.</summary>
internal class PyTuple
{
    public PyTuple(IReadOnlyList<object?> items) => Items = items;

    public IReadOnlyList<object?> Items { get; }

    public int Count => Items.Count;

    public object? this[int index] => Items[index];

    public static PyTuple Of(params object?[] items) => new(items);
}

/// <summary>The named tuple <c>groupby</c> yields: (grouper, list), also readable as attributes; prints as a tuple.</summary>
internal sealed class GroupTuple(object? grouper, List<object?> list) : PyTuple([grouper, list]), IHasAttributes
{
    public bool TryGetAttribute(string name, out object? value)
    {
        value = name switch
        {
            "grouper" => grouper,
            "list" => list,
            _ => null,
        };

        return name is "grouper" or "list";
    }
}
