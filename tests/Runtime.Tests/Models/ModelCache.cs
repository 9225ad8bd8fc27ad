using System.Collections.Concurrent;
using Peft.Runtime.Models;
using Peft.Runtime.Models.Weights;
using Peft.Runtime.Tests.Fixtures;

namespace Peft.Runtime.Tests.Models;

/// <summary>Loads each fixture base model once per test run (they are read-only once loaded).</summary>
internal static class ModelCache
{
    private static readonly ConcurrentDictionary<string, Lazy<CausalLM>> Models = new();

    public static CausalLM Family(string family) => Models.GetOrAdd(family, f => new Lazy<CausalLM>(
        () => CausalLM.Load(HfFixtures.BaseDirectory(f), new ModelLoadOptions { Device = TestDevice.Spec }))).Value;

    /// <summary>The same fixture with weight-only INT8 matrices (linears, embeddings and head).</summary>
    public static CausalLM Int8(string family) => Models.GetOrAdd($"{family}:int8", _ => new Lazy<CausalLM>(
        () => CausalLM.Load(HfFixtures.BaseDirectory(family), new ModelLoadOptions { Device = TestDevice.Spec, Quantization = WeightQuantization.Int8 }))).Value;
}
