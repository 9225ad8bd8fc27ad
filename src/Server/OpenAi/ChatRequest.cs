using System.Text.Json;
using System.Text.Json.Nodes;
using Peft.ChatTemplates;
using Peft.Server.Calls;
using Peft.Server.Errors;
using Peft.Server.Hosting;

namespace Peft.Server.OpenAi;

/// <summary>
/// POST /v1/chat/completions as the edge-neutral input: the messages (and tools, documents, chat_template_kwargs)
/// rendered by the model's chat template into one text prompt, n choices, logprobs with top_logprobs.
/// </summary>
internal sealed record ChatRequest(string Model, string AdapterId, ChatRenderRequest Conversation, SamplingInput Sampling,
    StreamOptions Options, bool Logprobs)
{
    public static ChatRequest Parse(JsonRequest request, LoadedModel model, ServedModels served)
    {
        string name = request.RequiredString("model");
        SamplingFields.RefuseUnsupported(request);
        if (request.Has("chat_template"))
            throw ApiErrors.Invalid("'chat_template' in a request is not supported: the model directory's template is used", "chat_template");
        if (request.Bool("continue_final_message") == true)
            throw ApiErrors.Invalid("'continue_final_message' is not supported by this server", "continue_final_message");
        if (request.Object("response_format") is { } format && new JsonRequest(format).String("type") is { } type && type != "text")
            throw ApiErrors.Invalid($"response_format '{type}' is not supported: this server generates free text", "response_format");
        var tools = request.Array("tools");
        string? toolChoice = request["tool_choice"] is { } choice && choice.GetValueKind() == JsonValueKind.String ? choice.GetValue<string>() : null;
        if (request.Has("tool_choice") && toolChoice is not ("none" or "auto"))
            throw ApiErrors.Invalid("'tool_choice' may be \"none\" or \"auto\": this server does not force tool calls", "tool_choice");

        bool logprobs = request.Bool("logprobs") ?? false;
        long? top = request.Integer("top_logprobs");
        if (top is not null && !logprobs) throw ApiErrors.Invalid("'top_logprobs' needs 'logprobs': true", "top_logprobs");
        var sampling = SamplingFields.Read(request, SamplingFields.MaxTokens(request, "max_completion_tokens", "max_tokens"), logprobs ? top ?? 0 : null);
        var conversation = new ChatRenderRequest(Messages(request))
        {
            Tools = tools is { Count: > 0 } && toolChoice != "none" ? tools : null,
            Documents = request.Array("documents"),
            AddGenerationPrompt = request.Bool("add_generation_prompt") ?? true,
            ExtraVariables = request.Object("chat_template_kwargs"),
        };
        return new ChatRequest(name, served.AdapterOf(name, model), conversation, sampling, StreamOptions.Read(request), logprobs);
    }

    /// <summary>
    /// The messages as templates read them: each an object with a string role; content a string, null, or a list of
    /// text parts (joined with newlines, as vLLM passes them to templates that expect strings). Other fields (name,
    /// tool_calls, tool_call_id) pass through.
    /// </summary>
    private static JsonArray Messages(JsonRequest request)
    {
        var messages = request.Array("messages") ?? throw ApiErrors.Invalid("'messages' is required", "messages");
        if (messages.Count == 0) throw ApiErrors.Invalid("'messages' is empty", "messages");
        var result = new JsonArray();
        for (int i = 0; i < messages.Count; i++)
        {
            if (messages[i] is not JsonObject message) throw JsonRequest.Wrong($"messages[{i}]", "an object", messages[i]);
            var fields = new JsonRequest(message);
            if (fields.String("role") is not { Length: > 0 }) throw ApiErrors.Invalid($"messages[{i}] has no 'role'", "messages");
            var copy = (JsonObject)message.DeepClone();
            if (message["content"] is JsonArray parts) copy["content"] = Text(parts, i);
            else if (message["content"] is { } content && content.GetValueKind() != JsonValueKind.String)
                throw JsonRequest.Wrong($"messages[{i}].content", "a string or a list of content parts", content);
            result.Add(copy);
        }
        return result;
    }

    private static string Text(JsonArray parts, int message)
    {
        var texts = new List<string>(parts.Count);
        for (int p = 0; p < parts.Count; p++)
        {
            var part = parts[p] as JsonObject ?? throw JsonRequest.Wrong($"messages[{message}].content[{p}]", "an object", parts[p]);
            var fields = new JsonRequest(part);
            string type = fields.String("type") ?? "text";
            if (type != "text") throw ApiErrors.Invalid($"messages[{message}].content[{p}] is of type '{type}'; this model takes text only", "messages");
            texts.Add(fields.RequiredString("text"));
        }
        return string.Join('\n', texts);
    }

    /// <summary>The engine requests: the rendered conversation, n choices; choice i of a seeded request draws with seed + i.</summary>
    public IReadOnlyList<ChoiceSpec> Choices(LoadedModel model, string requestId, CancellationToken aborted)
    {
        var prompt = ChatPrompt.Render(model, Conversation);
        var tokens = PromptRules.Tokens(prompt, model, aborted);
        return [.. Enumerable.Range(0, Options.N).Select(i => new ChoiceSpec(
            new GenerationInput(AdapterId, prompt, Sampling.Seed is { } seed ? Sampling with { Seed = unchecked(seed + (ulong)i) } : Sampling, requestId, Options.User)
            {
                TaskId = Options.TaskId,
            },
            tokens))];
    }
}
