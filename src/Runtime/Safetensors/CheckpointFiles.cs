namespace Peft.Runtime.Safetensors;

/// <summary>Where a Hugging Face model directory keeps its weights, and which files we refuse.</summary>
internal static class CheckpointFiles
{
    public const string SingleFile = "model.safetensors";
    public const string IndexFile = "model.safetensors.index.json";

    /// <summary>PyTorch pickle formats: unpickling runs arbitrary code, so these are never opened.</summary>
    private static readonly string[] PickleExtensions = [".bin", ".pt", ".pth", ".ckpt", ".pkl"];

    /// <summary>
    /// The single file or the index, in transformers' order of preference (single file first); otherwise throws with
    /// what was looked for, or with a refusal when only pickle weights are present.
    /// </summary>
    public static (string? SingleFilePath, string? IndexPath) Locate(string directory)
    {
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"{directory}: model directory does not exist");

        string single = Path.Combine(directory, SingleFile);
        if (File.Exists(single))
            return (single, null);
        string index = Path.Combine(directory, IndexFile);
        if (File.Exists(index))
            return (null, index);

        var pickles = Directory.EnumerateFiles(directory)
            .Select(Path.GetFileName)
            .Where(name => PickleExtensions.Any(ext => name!.EndsWith(ext, StringComparison.OrdinalIgnoreCase))
                || name!.EndsWith(".bin.index.json", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (pickles.Count > 0)
            throw new SafetensorsFormatException(directory, null,
                $"holds only pickle weights ({string.Join(", ", pickles)}). Pickle files can run arbitrary code and are never loaded; "
                + $"safetensors is required: convert the weights to {SingleFile} (or {IndexFile} with its shards)");

        throw new FileNotFoundException(
            $"{directory}: no model weights found; looked for {SingleFile} and {IndexFile}", Path.Combine(directory, SingleFile));
    }
}
