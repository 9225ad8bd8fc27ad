using System.Collections.Concurrent;
using Peft.Runtime.Models;
using Peft.Runtime.Models.Weights;
using Peft.Runtime.Tests.Fixtures;

namespace Peft.Runtime.Tests.Models;

/// <summary>Loads each fixture base model once per test run (they are read-only once loaded).</summary>
internal static class ModelCache
{
    private static readonly ConcurrentDictionary<string, Lazy<CausalLM>> Models = new();

    public static CausalLM Family(string family) => Base(HfFixtures.BaseDirectory(family));

    /// <summary>A base model directory of any fixture set, loaded once, as the server loads it (embedding tables left in
    /// the file on the CPU), so every golden check also checks that path.</summary>
    public static CausalLM Base(string directory) => Models.GetOrAdd(Path.GetFullPath(directory), d => new Lazy<CausalLM>(
        () => CausalLM.Load(d, new ModelLoadOptions { Device = TestDevice.Spec, EmbeddingsFromFile = true }))).Value;

    /// <summary>The base a golden case ran on.</summary>
    public static CausalLM For(GoldenCase golden) => Base(golden.BaseDirectory);

    /// <summary>The same fixture with weight-only INT8 matrices (linears, embeddings and head).</summary>
    public static CausalLM Int8(string family) => Int8Base(HfFixtures.BaseDirectory(family));

    /// <summary>A base model directory of any fixture set with weight-only INT8 matrices (linears, embeddings and head), loaded once.</summary>
    public static CausalLM Int8Base(string directory) => Models.GetOrAdd($"{Path.GetFullPath(directory)}:int8", _ => new Lazy<CausalLM>(
        () => CausalLM.Load(directory, new ModelLoadOptions { Device = TestDevice.Spec, Quantization = WeightQuantization.Int8 }))).Value;
}
