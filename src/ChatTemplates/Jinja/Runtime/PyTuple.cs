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

/// <summary>The named tuple <c>groupby</c> yields: (grouper, list), also readable as attributes.</summary>
internal sealed class GroupTuple(object? grouper, List<object?> list) : PyTuple([grouper, list])
{
    public object? Grouper { get; } = grouper;

    public List<object?> List { get; } = list;
}
