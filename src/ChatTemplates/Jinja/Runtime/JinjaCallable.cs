namespace Peft.ChatTemplates.Jinja.Runtime;

/// <summary>Anything a template can call: globals, bound methods, macros, <c>caller</c>, <c>loop.cycle</c>.</summary>
internal abstract class JinjaCallable
{
    public abstract string Name { get; }

    public abstract object? Call(CallArguments arguments);
}

/// <summary>A named function implemented in C#.</summary>
internal sealed class BuiltinFunction(string name, Func<CallArguments, object?> body) : JinjaCallable
{
    public override string Name { get; } = name;

    public override object? Call(CallArguments arguments) => body(arguments);
}

/// <summary>A method looked up on a value (<c>'a b'.split</c>, <c>d.items</c>): printed as Python prints bound methods.</summary>
internal sealed class BoundMethod(object? self, string name, Func<object?, CallArguments, object?> body) : JinjaCallable
{
    public object? Self { get; } = self;

    public override string Name { get; } = name;

    public override object? Call(CallArguments arguments) => body(Self, arguments);
}
