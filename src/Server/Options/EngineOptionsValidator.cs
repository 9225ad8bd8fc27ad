using Microsoft.Extensions.Options;
using Peft.Runtime.Engine;

namespace Peft.Server.Options;

/// <summary>The <c>Engine</c> section binds straight to the runtime's <see cref="EngineOptions"/> (its documented
/// defaults apply); this names the section in the runtime's own validation messages.</summary>
public sealed class EngineOptionsValidator : IValidateOptions<EngineOptions>
{
    public const string Section = "Engine";

    public ValidateOptionsResult Validate(string? name, EngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (options.Validate() is { } problem) problems.Add($"{Section}: {problem}");
        if (options.KvCacheBytes <= 0) problems.Add($"{Section}:KvCacheBytes must be positive, not {options.KvCacheBytes}");
        if (options.PromptAdapterBytes < 0) problems.Add($"{Section}:PromptAdapterBytes must not be negative, not {options.PromptAdapterBytes}");
        if (options.MaxContextTokens < 0) problems.Add($"{Section}:MaxContextTokens must not be negative (0: the model's), not {options.MaxContextTokens}");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
