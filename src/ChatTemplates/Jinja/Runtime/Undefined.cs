namespace Peft.ChatTemplates.Jinja.Runtime;

/// <summary>
/// jinja2's default <c>Undefined</c>: prints as "", is falsy, iterates as empty and has length 0, but any attribute,
/// item, call or arithmetic on it fails with an UndefinedError naming what was missing.
/// </summary>
internal sealed class Undefined
{
    private readonly string? _message;

    private Undefined(string? message) => _message = message;

    /// <summary>An undefined value with no story (a missing macro argument, an empty <c>first</c>).</summary>
    public static Undefined Plain { get; } = new(null);

    public static Undefined Name(string name) => new($"'{name}' is undefined");

    public static Undefined Attribute(object? owner, object? attribute) =>
        new($"{Py.ObjectDescription(owner)} has no attribute {Py.Repr(attribute)}");

    public static Undefined Item(object? owner, object? key) =>
        key is string
            ? new($"{Py.ObjectDescription(owner)} has no attribute {Py.Repr(key)}")
            : new($"{Py.ObjectDescription(owner)} has no element {Py.Repr(key)}");

    public static Undefined WithMessage(string message) => new(message);

    /// <summary>The sandbox hides mutating methods behind an undefined that fails as a security error.</summary>
    public static Undefined Unsafe(object? owner, string attribute) =>
        new($"access to attribute '{attribute}' of '{Py.TypeName(owner)}' object is unsafe.") { IsUnsafe = true };

    public bool IsUnsafe { get; private init; }

    public TemplateError Fail() => new(
        IsUnsafe ? TemplateErrorKind.Security : TemplateErrorKind.Undefined,
        _message ?? "value is undefined");
}
