using System.Text.Json;
using Peft.ChatTemplates.Jinja;
using Peft.ChatTemplates.Jinja.Runtime;

namespace Peft.ChatTemplates;

/// <summary>
/// One chat template of a model, compiled, with the special tokens its tokenizer declares. Renders are independent
/// and may run concurrently.
/// </summary>
public sealed class ChatTemplate
{
    private static readonly HashSet<string> ReservedVariables =
        ["messages", "tools", "documents", "add_generation_prompt"];

    private readonly Template _template;
    private readonly IReadOnlyList<KeyValuePair<string, object?>> _specialTokens;
    private readonly ChatTemplate? _toolUse;
    private readonly TimeProvider _clock;

    internal ChatTemplate(
        string name,
        string source,
        Template template,
        IReadOnlyList<KeyValuePair<string, object?>> specialTokens,
        TimeProvider clock,
        ChatTemplate? toolUse = null)
    {
        Name = name;
        Source = source;
        _template = template;
        _specialTokens = specialTokens;
        _clock = clock;
        _toolUse = toolUse;
    }

    /// <summary>The template's name in the model directory ("default" for a single template).</summary>
    public string Name { get; }

    /// <summary>The template text as the model directory has it.</summary>
    public string Source { get; }

    /// <summary>
    /// Renders as transformers' <c>apply_chat_template(messages, tools=..., documents=...,
    /// add_generation_prompt=..., tokenize=False, **chat_template_kwargs)</c> would: the template sees messages,
    /// tools and documents (None when absent), add_generation_prompt, the special tokens (bos_token, eos_token, ...)
    /// and the extra variables, which may replace special tokens but not the four names before them. Without an
    /// explicit name transformers uses a model's "tool_use" template when tools are given; so does this.
    /// </summary>
    /// <exception cref="ChatTemplateException">The template raised an exception or failed to render.</exception>
    public string Render(ChatRenderRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Messages);
        if (_toolUse is not null && request.Tools is not null)
        {
            return _toolUse.Render(request);
        }

        var variables = Variables(request);
        try
        {
            return _template.Render(variables, _clock);
        }
        catch (TemplateError error)
        {
            throw Describe(error, $"chat template '{Name}'");
        }
    }

    private List<KeyValuePair<string, object?>> Variables(ChatRenderRequest request)
    {
        try
        {
            var variables = new List<KeyValuePair<string, object?>>(_specialTokens)
            {
                new("messages", PyValues.FromJson(request.Messages)),
                new("tools", PyValues.FromJson(request.Tools)),
                new("documents", PyValues.FromJson(request.Documents)),
                new("add_generation_prompt", request.AddGenerationPrompt),
            };

            foreach (var (key, value) in request.ExtraVariables ?? [])
            {
                if (ReservedVariables.Contains(key))
                {
                    throw new ChatTemplateException($"chat template variables may not set '{key}'; it has its own request field");
                }

                variables.Add(new(key, PyValues.FromJson(value)));
            }

            return variables;
        }
        catch (Exception error) when (error is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            throw new ChatTemplateException($"chat template '{Name}': a request value cannot be read as JSON ({error.Message})", error);
        }
    }

    internal static ChatTemplateException Describe(TemplateError error, string where)
    {
        var line = error.Line is { } l ? $" line {l}" : "";
        var detail = error.Kind == TemplateErrorKind.Raised ? error.Message : $"{error.PythonName}: {error.Message}";
        return new ChatTemplateException($"{where}{line}: {detail}", error.Line, error.Kind == TemplateErrorKind.Raised, error);
    }
}
