using Peft.Runtime.Json;
using Peft.Runtime.Safetensors;

namespace Peft.Runtime.Adapters;

/// <summary>Reads a PEFT adapter directory into a validated <see cref="HostAdapter"/>. Safe to call off the engine thread.</summary>
public static class AdapterReader
{
    public static HostAdapter Read(string name, string directory, BaseModel baseModel)
    {
        ArgumentNullException.ThrowIfNull(baseModel);
        var files = AdapterFiles.Open(name, directory);
        var fields = Fields(files);
        string peftType = fields.OptionalString("peft_type") ?? throw new AdapterLoadException($"adapter '{name}': adapter_config.json has no peft_type");
        var method = AdapterMethods.For(peftType, fields, name);
        string? task = fields.OptionalString("task_type");
        if (task is not (null or "CAUSAL_LM"))
            throw new AdapterLoadException($"adapter '{name}': task_type '{task}' is not supported (only CAUSAL_LM)");
        try
        {
            using var file = SafetensorsFile.Open(files.WeightsPath);
            using var weights = new AdapterWeights(files, file, baseModel.Dtype);
            BaseCopies.Check(weights, baseModel);
            var host = method.Read(files, weights, baseModel);
            try
            {
                weights.RefuseOthers($"a {peftType} adapter with this configuration has no such tensor");
            }
            catch
            {
                host.Dispose();
                weights.Keep();
                throw;
            }
            weights.Keep();
            return host;
        }
        catch (SafetensorsFormatException e)
        {
            throw new AdapterLoadException($"adapter '{name}': {e.Message}", e);
        }
    }

    /// <summary>The config's fields, with errors that name the adapter.</summary>
    internal static JsonFields Fields(AdapterFiles files) =>
        new(files.Config, $"adapter '{files.Name}': {AdapterFiles.ConfigFile}", message => new AdapterLoadException(message));
}
