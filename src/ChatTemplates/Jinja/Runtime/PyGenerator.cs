namespace Peft.ChatTemplates.Jinja.Runtime;

/// <summary>
/// A Python generator or iterator (what <c>select</c>, <c>map</c>, <c>unique</c>, <c>items</c> and <c>reverse</c>
/// return in jinja2): it can be iterated once, has no length, cannot be indexed and is always truthy. Templates that
/// call <c>|length</c> on one fail under transformers, so they fail here too.
/// </summary>
internal sealed class PyGenerator(IEnumerable<object?> source, string typeName = "generator")
{
    private IEnumerator<object?>? _enumerator = source.GetEnumerator();

    public string TypeName { get; } = typeName;

    public IEnumerable<object?> Drain()
    {
        var enumerator = _enumerator;
        _enumerator = null;
        if (enumerator is null)
        {
            yield break;
        }

        using (enumerator)
        {
            while (enumerator.MoveNext())
            {
                yield return enumerator.Current;
            }
        }
    }
}
