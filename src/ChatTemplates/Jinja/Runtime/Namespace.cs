namespace Peft.ChatTemplates.Jinja.Runtime;

/// <summary>
/// <c>namespace(...)</c>: the one object a template may assign attributes on (<c>{% set ns.x = 1 %}</c>), which is how
/// a value escapes a loop's scope.
/// </summary>
internal sealed class Namespace : IHasAttributes
{
    public PyDict Attributes { get; } = new();

    public bool TryGetAttribute(string name, out object? value) => Attributes.TryGet(name, out value);
}
