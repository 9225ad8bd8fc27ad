using System.Security.Cryptography;
using System.Text.Json;

namespace Peft.Runtime.Adapters;

/// <summary>
/// The files of a PEFT adapter directory: <c>adapter_config.json</c> and <c>adapter_model.safetensors</c>.
/// Pickle weights (<c>adapter_model.bin</c>) are refused, never opened.
/// </summary>
public sealed class AdapterFiles
{
    public const string ConfigFile = "adapter_config.json";
    public const string WeightsFile = "adapter_model.safetensors";
    private static readonly string[] PickleFiles = ["adapter_model.bin", "adapter_model.pt", "adapter_model.pth", "adapter_model.ckpt"];

    private AdapterFiles(string name, string directory, byte[] configBytes, JsonElement config)
    {
        Name = name;
        Directory = directory;
        ConfigBytes = configBytes;
        Config = config;
    }

    /// <summary>The adapter's name in messages (its id when registered).</summary>
    public string Name { get; }
    public string Directory { get; }
    public byte[] ConfigBytes { get; }
    public JsonElement Config { get; }
    public string WeightsPath => Path.Combine(Directory, WeightsFile);

    public static AdapterFiles Open(string name, string directory)
    {
        if (!System.IO.Directory.Exists(directory))
            throw new AdapterLoadException($"adapter '{name}': directory {directory} does not exist");
        string configPath = Path.Combine(directory, ConfigFile);
        if (!File.Exists(configPath))
            throw new AdapterLoadException($"adapter '{name}': {ConfigFile} is missing in {directory}");
        if (!File.Exists(Path.Combine(directory, WeightsFile)))
        {
            string? pickle = PickleFiles.FirstOrDefault(p => File.Exists(Path.Combine(directory, p)));
            throw new AdapterLoadException(pickle is not null
                ? $"adapter '{name}': only {pickle} found; pickle files are never loaded, save the adapter with safetensors (PEFT's default)"
                : $"adapter '{name}': {WeightsFile} is missing in {directory}");
        }
        byte[] bytes = File.ReadAllBytes(configPath);
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new AdapterLoadException($"adapter '{name}': {ConfigFile} is not a JSON object");
            return new AdapterFiles(name, directory, bytes, doc.RootElement.Clone());
        }
        catch (JsonException e)
        {
            throw new AdapterLoadException($"adapter '{name}': {ConfigFile} is not valid JSON ({e.Message})", e);
        }
    }

    /// <summary>sha256 over the config bytes and the weights bytes, hex: tells versions of an adapter apart.</summary>
    public string ContentHash()
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(ConfigBytes);
        using (var weights = File.OpenRead(WeightsPath))
        {
            var buffer = new byte[1 << 20];
            int read;
            while ((read = weights.Read(buffer)) > 0) sha.AppendData(buffer.AsSpan(0, read));
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
