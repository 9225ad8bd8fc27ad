using Microsoft.Extensions.Options;

namespace Peft.Server.Options;

/// <summary>Fails the start on an empty jobs directory, a missing data root or a nonsensical cap.</summary>
public sealed class TrainingOptionsValidator(ContentPaths paths) : IValidateOptions<TrainingOptions>
{
    public ValidateOptionsResult Validate(string? name, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(options.JobsDirectory))
            problems.Add("Training:JobsDirectory is empty; training jobs need a directory for their records and checkpoints");
        if (options.DataRoot is { } root && !Directory.Exists(paths.Resolve(root)))
            problems.Add($"Training:DataRoot '{root}' (resolved to {paths.Resolve(root)}) does not exist");
        if (options.MaxDatasetBytes <= 0)
            problems.Add($"Training:MaxDatasetBytes must be positive, not {options.MaxDatasetBytes}");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
