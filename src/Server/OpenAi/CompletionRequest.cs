using System.Text.Json;
using System.Text.Json.Nodes;
using Peft.Server.Calls;
using Peft.Server.Errors;
using Peft.Server.Hosting;

namespace Peft.Server.OpenAi;

/// <summary>
/// POST /v1/completions as the edge-neutral inputs: one <see cref="GenerationInput"/> per prompt (text, token ids, or
/// a batch of either), n choices each, logprobs (0 to 20 alternatives), echo.
/// </summary>
internal sealed record CompletionRequest(string Model, string AdapterId, IReadOnlyList<PromptInput> Prompts, SamplingInput Sampling,
    StreamOptions Options, bool Echo, int? Logprobs)
{
    public static CompletionRequest Parse(JsonRequest request, LoadedModel model, ServedModels served)
    {
        string name = request.RequiredString("model");
        SamplingFields.RefuseUnsupported(request);
        if (request.String("suffix") is { Length: > 0 })
            throw ApiErrors.Invalid("'suffix' (insertion) is not supported by this server", "suffix");
        var prompts = ReadPrompts(request["prompt"]);
        var options = StreamOptions.Read(request);
        if ((long)prompts.Count * options.N > StreamOptions.MaxChoices)
            throw ApiErrors.Invalid($"{prompts.Count} prompts × n {options.N} asks for more than {StreamOptions.MaxChoices} choices", "n");
        long? logprobs = request.Integer("logprobs");
        bool echo = request.Bool("echo") ?? false;
        if (echo && logprobs is not null)
            throw ApiErrors.Invalid("echo with logprobs asks for the prompt's log-probabilities, which this server does not compute", "echo");
        var sampling = SamplingFields.Read(request, SamplingFields.MaxTokens(request, "max_tokens"), logprobs);
        return new CompletionRequest(name, served.AdapterOf(name, model), prompts, sampling, options, echo,
            logprobs is { } k ? (int)Math.Clamp(k, int.MinValue, int.MaxValue) : null);
    }

    /// <summary>OpenAI's four prompt forms: a string, a list of strings, a list of token ids, a list of such lists.</summary>
    private static IReadOnlyList<PromptInput> ReadPrompts(JsonNode? prompt) => prompt switch
    {
        null => throw ApiErrors.Invalid("'prompt' is required", "prompt"),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => [new TextPrompt(v.GetValue<string>())],
        JsonArray { Count: 0 } => throw ApiErrors.Invalid("'prompt' is an empty list", "prompt"),
        JsonArray a when a[0] is JsonValue first && first.GetValueKind() == JsonValueKind.Number => [new TokenPrompt(JsonRequest.Ints(a, "prompt"))],
        JsonArray a => [.. a.Select((item, i) => item switch
        {
            JsonValue s when s.GetValueKind() == JsonValueKind.String => (PromptInput)new TextPrompt(s.GetValue<string>()),
            JsonArray ids => new TokenPrompt(JsonRequest.Ints(ids, $"prompt[{i}]")),
            _ => throw JsonRequest.Wrong($"prompt[{i}]", "a string or a list of token ids", item),
        })],
        _ => throw JsonRequest.Wrong("prompt", "a string, a list of strings, or token ids", prompt),
    };

    /// <summary>The engine requests: prompts in order, n choices each; choice i of a seeded request draws with seed + i,
    /// so choices differ and choice 0 equals the same request with n = 1.</summary>
    public IReadOnlyList<ChoiceSpec> Choices(LoadedModel model, string requestId, CancellationToken aborted)
    {
        var specs = new List<ChoiceSpec>(Prompts.Count * Options.N);
        foreach (var prompt in Prompts)
        {
            var tokens = PromptRules.Tokens(prompt, model, aborted);
            for (int i = 0; i < Options.N; i++)
            {
                var sampling = Sampling.Seed is { } seed ? Sampling with { Seed = unchecked(seed + (ulong)i) } : Sampling;
                specs.Add(new ChoiceSpec(new GenerationInput(AdapterId, prompt, sampling, requestId, Options.User) { TaskId = Options.TaskId }, tokens));
            }
        }
        return specs;
    }

    /// <summary>The prompt's text for echo: as sent, or token ids decoded with their special tokens.</summary>
    public static string EchoText(PromptInput prompt, LoadedModel model) => prompt switch
    {
        TextPrompt text => text.Text,
        TokenPrompt ids when model.Tokenizer is { } tokenizer => tokenizer.Decode(ids.Ids, skipSpecialTokens: false),
        _ => "",
    };
}
