using System.Text.Json.Serialization;

namespace Peft.Runtime.Adapters.Storage;

/// <summary>manifest.json as written on disk. Kept apart from <see cref="ManifestEntry"/> so the file format has
/// explicit names and a format number of its own; every field is nullable here and checked after parsing, so a
/// hand-edited or truncated file is reported, not half-read.</summary>
internal sealed class ManifestFile
{
    public const int CurrentFormat = 1;

    [JsonPropertyName("format")]
    public int? Format { get; set; }

    [JsonPropertyName("adapters")]
    public List<Entry?>? Adapters { get; set; }

    internal sealed class Entry
    {
        [JsonPropertyName("id")]
        public string? Id { get; set; }

        [JsonPropertyName("path")]
        public string? Path { get; set; }

        [JsonPropertyName("version")]
        public string? Version { get; set; }

        [JsonPropertyName("peft_type")]
        public string? PeftType { get; set; }

        [JsonPropertyName("registered_at")]
        public DateTimeOffset? RegisteredAt { get; set; }
    }
}

[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ManifestFile))]
internal sealed partial class ManifestJsonContext : JsonSerializerContext;
