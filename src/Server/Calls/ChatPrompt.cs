using Peft.ChatTemplates;
using Peft.Server.Errors;
using Peft.Server.Hosting;

namespace Peft.Server.Calls;

/// <summary>
/// A conversation as a prompt, by the model's own chat template, as transformers' <c>apply_chat_template</c> does:
/// the <c>tool_use</c> template when tools are given and the model names one, its default otherwise. The rendered
/// text already holds the special tokens the template writes (BOS among them), so it is tokenized without adding any.
/// </summary>
internal static class ChatPrompt
{
    public const string ToolUseTemplate = "tool_use";

    public static TextPrompt Render(LoadedModel model, ChatRenderRequest request)
    {
        if (model.ChatTemplates.Set is not { } set) throw ApiErrors.Precondition(model.ChatTemplates.Problem!, "messages");
        try
        {
            var template = set.Resolve(request.Tools is { Count: > 0 } && set.Names.Contains(ToolUseTemplate) ? ToolUseTemplate : null);
            return new TextPrompt(template.Render(request), AddSpecialTokens: false);
        }
        catch (ChatTemplateException e)
        {
            // raise_exception is how templates refuse a conversation ("roles must alternate"): the caller's to fix.
            throw ApiErrors.Invalid($"the model's chat template refused the messages: {e.Message}", "messages");
        }
    }
}
