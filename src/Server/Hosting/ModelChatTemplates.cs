using Peft.ChatTemplates;

namespace Peft.Server.Hosting;

/// <summary>
/// A model directory's chat templates (tokenizer_config.json's <c>chat_template</c>, or the files beside it), read
/// once at load. A model without one, or with one that does not parse, still serves completions: chat calls are
/// then refused with <see cref="Problem"/>.
/// </summary>
public sealed class ModelChatTemplates
{
    private ModelChatTemplates(ChatTemplateSet? set, string? problem)
    {
        Set = set;
        Problem = problem;
    }

    /// <summary>Null when <see cref="Problem"/> says why.</summary>
    public ChatTemplateSet? Set { get; }

    public string? Problem { get; }

    public static ModelChatTemplates Load(string directory)
    {
        try
        {
            return ChatTemplateSet.FromModelDirectory(directory) is { } set
                ? new ModelChatTemplates(set, null)
                : new ModelChatTemplates(null, $"the model at {directory} has no chat template (tokenizer_config.json has no chat_template), so chat completions cannot be served; use /v1/completions");
        }
        catch (ChatTemplateException e)
        {
            return new ModelChatTemplates(null, $"the model's chat template could not be read, so chat completions cannot be served: {e.Message}");
        }
    }
}
