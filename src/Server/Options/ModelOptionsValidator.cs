using Microsoft.Extensions.Options;
using Peft.Runtime.Models;
using Peft.Runtime.Models.Weights;
using Peft.Runtime.Torch;

namespace Peft.Server.Options;

/// <summary>Fails the start when the model directory is missing or the device or dtype is not understood.</summary>
public sealed class ModelOptionsValidator(ContentPaths paths) : IValidateOptions<ModelOptions>
{
    public ValidateOptionsResult Validate(string? name, ModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            problems.Add("Model:Path is empty; set it to a Hugging Face model directory");
        }
        else
        {
            string full = paths.Resolve(options.Path);
            if (!Directory.Exists(full))
                problems.Add($"Model:Path '{options.Path}' (resolved to {full}) does not exist. "
                    + (options.Path == new ModelOptions().Path ? "The bundled demo model is not there (see docs/demo-model.md); " : "")
                    + "point Model:Path at a Hugging Face model directory (--Model:Path=DIR or PEFT_Model__Path=DIR)");
            else if (!File.Exists(Path.Combine(full, "config.json")))
                problems.Add($"Model:Path '{options.Path}' (resolved to {full}) has no config.json; it is not a Hugging Face model directory");
        }
        if (options.ServedName is { } served && (served.Length == 0 || served.Any(char.IsWhiteSpace)))
            problems.Add($"Model:ServedName '{served}' must be a non-empty name without white space (or unset: the model directory's name)");
        try
        {
            DeviceSpec.Parse(options.Device);
        }
        catch (FormatException e)
        {
            problems.Add($"Model:Device: {e.Message}");
        }
        try
        {
            ModelLoadOptions.ParseDtype(options.Dtype);
        }
        catch (FormatException e)
        {
            problems.Add($"Model:Dtype: {e.Message}");
        }
        try
        {
            WeightQuantization.ParseFormat(options.Quantization);
        }
        catch (FormatException e)
        {
            problems.Add($"Model:Quantization: {e.Message}");
        }
        if (options.Threads < 0) problems.Add($"Model:Threads must not be negative, not {options.Threads}");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
