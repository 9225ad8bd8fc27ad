namespace Peft.ChatTemplates.Jinja.Runtime;

/// <summary>
/// markupsafe's Markup: text marked safe by <c>|safe</c> or produced by <c>|escape</c>. It reads as its text
/// everywhere, except that <c>+</c>, <c>*</c> and <c>%</c> keep it Markup and HTML-escape the plain strings they
/// take in: <c>"a"|safe + "&lt;b&gt;"</c> is <c>a&amp;lt;b&amp;gt;</c> even with autoescape off. Real templates
/// rely on this (functionary v3.1 escapes its tool JSON this way), so it is modelled; string methods and filters
/// applied to Markup give plain strings here, where markupsafe would keep Markup.
/// </summary>
internal sealed class Markup(string value)
{
    public string Value { get; } = value;

    public static Markup Escape(object? value) => value switch
    {
        Markup markup => markup,
        _ => new Markup(Filters.StringFilters.Escape(Py.Str(value))),
    };

    public override string ToString() => Value;
}
