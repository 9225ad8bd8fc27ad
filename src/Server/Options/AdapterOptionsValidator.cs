using Microsoft.Extensions.Options;

namespace Peft.Server.Options;

/// <summary>Fails the start on missing adapter roots, overlapping store and roots, or nonsensical caps.</summary>
public sealed class AdapterOptionsValidator(ContentPaths paths) : IValidateOptions<AdapterOptions>
{
    public ValidateOptionsResult Validate(string? name, AdapterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        for (int i = 0; i < options.Roots.Count; i++)
        {
            string root = options.Roots[i];
            if (string.IsNullOrWhiteSpace(root))
                problems.Add($"Adapters:Roots:{i} is empty");
            else if (!Directory.Exists(paths.Resolve(root)))
                problems.Add($"Adapters:Roots:{i} '{root}' (resolved to {paths.Resolve(root)}) does not exist");
        }
        if (string.IsNullOrWhiteSpace(options.StoreDirectory))
            problems.Add("Adapters:StoreDirectory is empty; the server needs a directory of its own for uploads");
        if (options.MaxUploadBytes <= 0)
            problems.Add($"Adapters:MaxUploadBytes must be positive, not {options.MaxUploadBytes}");
        if (options.MaxConfigBytes <= 0 || options.MaxConfigBytes > options.MaxUploadBytes)
            problems.Add($"Adapters:MaxConfigBytes must be positive and at most Adapters:MaxUploadBytes ({options.MaxUploadBytes}), not {options.MaxConfigBytes}");
        if (options.HostBudgetBytes < 0)
            problems.Add($"Adapters:HostBudgetBytes must not be negative, not {options.HostBudgetBytes}");
        if (options.StoreSyncInterval < TimeSpan.Zero)
            problems.Add($"Adapters:StoreSyncInterval must not be negative, not {options.StoreSyncInterval}");
        if (options.StoreLockTimeout < TimeSpan.Zero)
            problems.Add($"Adapters:StoreLockTimeout must not be negative, not {options.StoreLockTimeout}");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
