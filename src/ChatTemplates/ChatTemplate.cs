namespace Peft.ChatTemplates;

/// <summary>One named chat template of a model, with the special tokens its tokenizer config declares.</summary>
public sealed class ChatTemplate
{
    internal ChatTemplate(string name, string source, IReadOnlyDictionary<string, string> specialTokens)
    {
        Name = name;
        Source = source;
        SpecialTokens = specialTokens;
    }

    public string Name { get; }

    public string Source { get; }

    internal IReadOnlyDictionary<string, string> SpecialTokens { get; }

    /// <summary>Renders as transformers' <c>apply_chat_template(tokenize=False)</c> would.</summary>
    /// <exception cref="ChatTemplateException">The template raised an exception or failed to render.</exception>
    public string Render(ChatRenderRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        throw new ChatTemplateException($"chat template '{Name}': rendering is not implemented yet");
    }
}
