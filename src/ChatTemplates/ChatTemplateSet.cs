using Peft.ChatTemplates.Jinja;
using Peft.ChatTemplates.Loading;

namespace Peft.ChatTemplates;

/// <summary>The chat templates a model directory declares, by name, compiled when the directory is read.</summary>
public sealed class ChatTemplateSet
{
    private const string DefaultName = "default";
    private const string ToolUseName = "tool_use";

    private readonly Dictionary<string, ChatTemplate> _templates;

    // What Resolve(null) gives: the default template, switching to "tool_use" for requests with tools.
    private readonly ChatTemplate? _implicitDefault;

    private ChatTemplateSet(Dictionary<string, ChatTemplate> templates, ChatTemplate? implicitDefault, IReadOnlyList<string> names)
    {
        _templates = templates;
        _implicitDefault = implicitDefault;
        Names = names;
    }

    /// <summary>Template names in the order the model directory lists them.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>
    /// Reads the templates the way transformers' tokenizer loading finds them: <c>chat_template.jinja</c> (which
    /// replaces any template in the config), else <c>tokenizer_config.json</c>'s <c>chat_template</c> (a string, or
    /// a list of {name, template}), plus <c>additional_chat_templates/*.jinja</c> as named templates; a processor's
    /// <c>chat_template.json</c> is used when none of those has one. Special tokens come from
    /// <c>tokenizer_config.json</c>, completed by <c>special_tokens_map.json</c>.
    /// </summary>
    /// <returns>The templates, or null when the directory declares none.</returns>
    /// <exception cref="ChatTemplateException">A file is present but malformed, or a template does not parse.</exception>
    public static ChatTemplateSet? FromModelDirectory(string modelDirectory) =>
        FromModelDirectory(modelDirectory, TimeProvider.System);

    internal static ChatTemplateSet? FromModelDirectory(string modelDirectory, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(modelDirectory);
        ArgumentNullException.ThrowIfNull(clock);
        if (!Directory.Exists(modelDirectory))
        {
            throw new ChatTemplateException($"model directory '{modelDirectory}' does not exist");
        }

        var sources = TemplateSources.Read(modelDirectory);
        if (sources.Count == 0)
        {
            return null;
        }

        var tokens = SpecialTokens.Read(modelDirectory);
        var compiled = sources.ToDictionary(
            s => s.Name,
            s => (Source: s, Template: Compile(s)),
            StringComparer.Ordinal);
        ChatTemplate Create(TemplateSource source, ChatTemplate? toolUse) =>
            new(source.Name, source.Text, compiled[source.Name].Template, tokens, clock, toolUse);

        var templates = sources.ToDictionary(s => s.Name, s => Create(s, null), StringComparer.Ordinal);
        ChatTemplate? implicitDefault = null;
        if (compiled.TryGetValue(DefaultName, out var fallback))
        {
            implicitDefault = Create(fallback.Source, templates.GetValueOrDefault(ToolUseName));
        }

        return new ChatTemplateSet(templates, implicitDefault, [.. sources.Select(s => s.Name)]);
    }

    private static Template Compile(TemplateSource source)
    {
        try
        {
            return Template.Compile(source.Text, JinjaOptions.ChatTemplate);
        }
        catch (TemplateError error)
        {
            throw ChatTemplate.Describe(error, $"{source.File}: chat template '{source.Name}'");
        }
    }

    /// <summary>
    /// The named template; null means "default", or the only template when there is one. Chosen by null, the default
    /// template renders with the "tool_use" template instead when a request carries tools, as transformers chooses.
    /// </summary>
    /// <exception cref="ChatTemplateException">No template has that name.</exception>
    public ChatTemplate Resolve(string? name = null)
    {
        if (name is null && (_implicitDefault ?? (_templates.Count == 1 ? _templates.Values.First() : null)) is { } chosen)
        {
            return chosen;
        }

        var key = name ?? DefaultName;
        return _templates.TryGetValue(key, out var template)
            ? template
            : throw new ChatTemplateException(name is null
                ? $"this model has several chat templates and none named '{DefaultName}'; choose one of: {string.Join(", ", Names)}"
                : $"no chat template named '{key}'; this model has: {string.Join(", ", Names)}");
    }
}
