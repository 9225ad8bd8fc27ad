namespace Peft.ChatTemplates.Jinja.Runtime;

/// <summary>A runtime object with Python attributes of its own (<c>loop.index</c>, <c>cycler.next</c>, <c>group.grouper</c>).</summary>
internal interface IHasAttributes
{
    bool TryGetAttribute(string name, out object? value);
}
