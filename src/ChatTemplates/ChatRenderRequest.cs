using System.Text.Json.Nodes;

namespace Peft.ChatTemplates;

/// <summary>What <c>apply_chat_template</c> receives: the conversation, and the optional tools, documents and
/// extra keyword arguments (OpenAI's <c>chat_template_kwargs</c>) that templates read as variables.</summary>
public sealed record ChatRenderRequest(JsonArray Messages)
{
    public JsonArray? Tools { get; init; }

    public JsonArray? Documents { get; init; }

    public bool AddGenerationPrompt { get; init; }

    public JsonObject? ExtraVariables { get; init; }
}
