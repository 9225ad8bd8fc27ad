using TorchSharp;

namespace Peft.LoadTests.Synthetic;

/// <summary>
/// Where synthetic checkpoints and adapters are written once and reused across runs. A directory counts as
/// written only when its completion marker exists (written last), so an interrupted write is redone.
/// </summary>
internal sealed class BenchCache
{
    private const string Marker = ".complete";

    public BenchCache(string root)
    {
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Root);
    }

    public static string DefaultRoot => Path.Combine(Path.GetTempPath(), "peft-loadtests");

    public string Root { get; }

    /// <summary>The folder every adapter set lives under (the adapter store's root).</summary>
    public string AdaptersRoot => Directory.CreateDirectory(Path.Combine(Root, "adapters")).FullName;

    public string Model(ModelShape shape, long seed) =>
        Ensure(Path.Combine(Root, "models", $"{shape.Key}-s{seed}"), dir => SyntheticCheckpoint.Write(dir, shape, seed));

    /// <summary>Adapter <paramref name="index"/> of a set; returns its directory.</summary>
    public string Adapter(ModelShape shape, int rank, torch.ScalarType dtype, int index) =>
        Ensure(AdapterPath(shape, rank, dtype, index), dir => SyntheticLora.Write(dir, shape, rank, 2.0 * rank, 1000 + index, dtype));

    public string AdapterPath(ModelShape shape, int rank, torch.ScalarType dtype, int index) =>
        Path.Combine(AdaptersRoot, shape.Key, $"r{rank}-{dtype.ToString().ToLowerInvariant()}", $"lora-{index:D4}");

    /// <summary>A DoRA adapter (LoRA factors and magnitudes on every linear), float32.</summary>
    public string DoraAdapter(ModelShape shape, int rank, int index) =>
        Ensure(Path.Combine(AdaptersRoot, shape.Key, $"dora-r{rank}", $"dora-{index:D4}"),
            dir => SyntheticLora.Write(dir, shape, rank, 2.0 * rank, 5000 + index, dora: true));

    /// <summary>An IA³ adapter (k_proj, v_proj, feed-forward down_proj), float32.</summary>
    public string Ia3Adapter(ModelShape shape, int index) =>
        Ensure(Path.Combine(AdaptersRoot, shape.Key, "ia3", $"ia3-{index:D4}"), dir => SyntheticIa3.Write(dir, shape, 9000 + index));

    private static string Ensure(string directory, Action<string> write)
    {
        if (File.Exists(Path.Combine(directory, Marker))) return directory;
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        write(directory);
        File.WriteAllText(Path.Combine(directory, Marker), "");
        return directory;
    }
}
