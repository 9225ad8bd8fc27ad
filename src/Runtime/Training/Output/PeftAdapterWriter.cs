using System.Text.Json;
using System.Text.Json.Nodes;
using Peft.Runtime.Adapters;
using Peft.Runtime.Safetensors;
using Peft.Runtime.Training.Methods;

namespace Peft.Runtime.Training.Output;

/// <summary>
/// Writes a trained adapter exactly as PEFT's save_pretrained does (adapter_config.json with sorted keys,
/// adapter_model.safetensors with PEFT's key names and {"format": "pt"}), atomically: into a hidden sibling
/// directory first, renamed into place only when both files are complete, so a crash never leaves a half-written
/// adapter where the registry or PEFT could pick it up.
/// </summary>
public static class PeftAdapterWriter
{
    public static void Write(TrainableAdapter adapter, string directory)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        if (Directory.Exists(directory)) throw new IOException($"{directory} already exists; adapter outputs are never overwritten");
        string parent = Path.GetDirectoryName(Path.GetFullPath(directory))!;
        Directory.CreateDirectory(parent);
        string staging = Path.Combine(parent, $".{Path.GetFileName(directory)}.partial-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            var (config, tensors) = adapter.Export();
            File.WriteAllText(Path.Combine(staging, AdapterFiles.ConfigFile), Sorted(config).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            SafetensorsWriter.Write(Path.Combine(staging, AdapterFiles.WeightsFile), tensors, new Dictionary<string, string> { ["format"] = "pt" });
            foreach (var (_, t) in tensors) t.Dispose();
            Directory.Move(staging, directory);
        }
        catch
        {
            Directory.Delete(staging, recursive: true);
            throw;
        }
    }

    private static JsonObject Sorted(JsonObject config) =>
        new(config.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
}
