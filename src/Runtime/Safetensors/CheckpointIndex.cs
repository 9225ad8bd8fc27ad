using System.Collections.Frozen;
using System.Text.Json;

namespace Peft.Runtime.Safetensors;

/// <summary>
/// <c>model.safetensors.index.json</c> as Hugging Face writes it:
/// <c>{"metadata": {"total_size": 123, ...}, "weight_map": {"tensor name": "model-00001-of-00002.safetensors"}}</c>.
/// </summary>
internal sealed class CheckpointIndex
{
    private CheckpointIndex(FrozenDictionary<string, string> metadata, FrozenDictionary<string, string> weightMap)
    {
        Metadata = metadata;
        WeightMap = weightMap;
    }

    /// <summary>String values as they are; others (HF writes <c>total_size</c> as a number) as their JSON text.</summary>
    public FrozenDictionary<string, string> Metadata { get; }

    /// <summary>Tensor name to shard file name (a plain name inside the checkpoint directory).</summary>
    public FrozenDictionary<string, string> WeightMap { get; }

    public static CheckpointIndex Read(string indexPath)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(indexPath));
        }
        catch (JsonException e)
        {
            throw new SafetensorsFormatException(indexPath, null, $"is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new SafetensorsFormatException(indexPath, null, "must be a JSON object with a 'weight_map'");

            var metadata = FrozenDictionary<string, string>.Empty;
            if (root.TryGetProperty("metadata", out var metadataJson) && metadataJson.ValueKind != JsonValueKind.Null)
            {
                if (metadataJson.ValueKind != JsonValueKind.Object)
                    throw new SafetensorsFormatException(indexPath, null, "'metadata' must be an object");
                metadata = metadataJson.EnumerateObject().ToFrozenDictionary(
                    p => p.Name,
                    p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText(),
                    StringComparer.Ordinal);
            }

            if (!root.TryGetProperty("weight_map", out var mapJson) || mapJson.ValueKind != JsonValueKind.Object)
                throw new SafetensorsFormatException(indexPath, null, "has no 'weight_map' object mapping tensor names to shard files");

            var weightMap = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var entry in mapJson.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.String)
                    throw new SafetensorsFormatException(indexPath, entry.Name,
                        $"is mapped to {entry.Value.GetRawText()}, expected a shard file name");
                string shard = entry.Value.GetString()!;
                if (!IsPlainFileName(shard))
                    throw new SafetensorsFormatException(indexPath, entry.Name,
                        $"is mapped to '{shard}', which is not a plain file name in the checkpoint directory");
                if (weightMap.TryGetValue(entry.Name, out string? other))
                    throw new SafetensorsFormatException(indexPath, entry.Name,
                        $"is listed twice in 'weight_map' (in '{other}' and in '{shard}')");
                weightMap.Add(entry.Name, shard);
            }
            return new CheckpointIndex(metadata, weightMap.ToFrozenDictionary(StringComparer.Ordinal));
        }
    }

    /// <summary>Shards live next to the index: no directories, no '..', nothing rooted, so an index cannot point outside.</summary>
    private static bool IsPlainFileName(string name)
        => name.Length > 0 && name is not "." and not ".."
            && name.IndexOfAny(['/', '\\', '\0']) < 0 && !Path.IsPathRooted(name);
}
