using Peft.ChatTemplates.Jinja.Runtime;

namespace Peft.ChatTemplates.Jinja.Globals;

/// <summary><c>cycler(*items)</c>: <c>next()</c> returns the current item and advances; <c>current</c>, <c>reset()</c>.</summary>
internal sealed class Cycler(IReadOnlyList<object?> items) : IHasAttributes
{
    private int _position;

    public bool TryGetAttribute(string name, out object? value)
    {
        value = name switch
        {
            "current" => items[_position],
            "items" => new List<object?>(items),
            "next" => new BuiltinFunction("next", _ =>
            {
                var item = items[_position];
                _position = (_position + 1) % items.Count;
                return item;
            }),
            "reset" => new BuiltinFunction("reset", _ =>
            {
                _position = 0;
                return null;
            }),
            _ => null,
        };

        return name is "current" or "items" or "next" or "reset";
    }
}

/// <summary><c>joiner(sep=", ")</c>: returns "" the first time it is called and the separator after.</summary>
internal sealed class Joiner(string separator) : JinjaCallable
{
    private bool _used;

    public override string Name => "joiner";

    public override object? Call(CallArguments arguments)
    {
        arguments.Bind("joiner");
        if (_used)
        {
            return separator;
        }

        _used = true;
        return "";
    }
}
