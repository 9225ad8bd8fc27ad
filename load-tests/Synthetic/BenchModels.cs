using Peft.Runtime.Models;

namespace Peft.LoadTests.Synthetic;

/// <summary>Loads the models the benchmarks run through the product's own loader.</summary>
internal static class BenchModels
{
    /// <summary>The repository's demo model, when it is there.</summary>
    public static string DemoDirectory => Path.Combine(RepositoryRoot(), "models", "demo");

    /// <summary>The synthetic checkpoint of <paramref name="shape"/>, written into the cache on first use.</summary>
    public static CausalLM Synthetic(BenchCache cache, ModelShape shape, long seed, TextWriter log, ModelLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(cache);
        log.WriteLine($"synthetic model {shape.Key} (seed {seed}) in {cache.Root}");
        return CausalLM.Load(cache.Model(shape, seed), options ?? new ModelLoadOptions());
    }

    /// <summary>The nearest ancestor of the working directory with Peft.sln, else the working directory.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Peft.sln"))) return dir.FullName;
        return Environment.CurrentDirectory;
    }
}
