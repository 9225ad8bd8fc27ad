namespace Peft.ChatTemplates.Jinja.Evaluation;

/// <summary>
/// A variable scope. Loops (each iteration), macros, call blocks, with blocks, filter blocks and block sets open a
/// new frame, so what they <c>set</c> does not leak out; <c>if</c> does not. Lookups walk outwards to the globals.
/// </summary>
internal sealed class Frame(Frame? parent)
{
    private readonly Dictionary<string, object?> _variables = new(StringComparer.Ordinal);

    public Frame? Parent { get; } = parent;

    public bool TryLookup(string name, out object? value)
    {
        for (var frame = this; frame is not null; frame = frame.Parent)
        {
            if (frame._variables.TryGetValue(name, out value))
            {
                return true;
            }
        }

        value = null;
        return false;
    }

    public void Set(string name, object? value) => _variables[name] = value;

    public Frame Child() => new(this);
}
