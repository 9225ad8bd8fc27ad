using Peft.Runtime.Models;
using Peft.Runtime.Safetensors;
using Peft.Runtime.Tests.Fixtures;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Models;

/// <summary>Checkpoints stored in F16 or BF16 load, and models run in BF16 or F16: close to float32, not equal.</summary>
public sealed class DtypeTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"peft-dtype-{Guid.NewGuid():N}");

    [Theory]
    [InlineData(ScalarType.BFloat16, 0.25)]
    [InlineData(ScalarType.Float16, 0.05)]
    public void A_half_precision_checkpoint_loads_into_float32_with_only_rounding_error(ScalarType stored, double tolerance)
    {
        Directory.CreateDirectory(_dir);
        foreach (var file in Directory.GetFiles(HfFixtures.BaseDirectory("llama")).Where(f => !f.EndsWith(".safetensors", StringComparison.Ordinal)))
            File.Copy(file, Path.Combine(_dir, Path.GetFileName(file)));
        using (var scope = NewDisposeScope())
        using (var source = SafetensorsFile.Open(Path.Combine(HfFixtures.BaseDirectory("llama"), "model.safetensors")))
            SafetensorsWriter.Write(Path.Combine(_dir, "model.safetensors"), source.Names.Select(n => KeyValuePair.Create(n, source.Load(n, stored))).ToList());

        using var model = CausalLM.Load(_dir, new ModelLoadOptions());
        Assert.Equal(ScalarType.Float32, model.Dtype);
        using var scope2 = NewDisposeScope();
        var golden = HfFixtures.Case("llama__base");
        var logits = BaseModelGoldenTests.DenseForward(model, golden.Prompts[1].InputIds);
        double diff = (logits[^1] - golden.Logits("p1.last_logits")).abs().max().item<float>();
        Assert.InRange(diff, 1e-7, tolerance);
    }

    [Theory]
    [InlineData("bfloat16", ScalarType.BFloat16, 0.5)]
    [InlineData("float16", ScalarType.Float16, 0.1)]
    public void A_model_runs_in_half_precision_and_returns_float32_logits(string dtype, ScalarType expected, double tolerance)
    {
        using var model = CausalLM.Load(HfFixtures.BaseDirectory("llama"), new ModelLoadOptions { Dtype = ModelLoadOptions.ParseDtype(dtype) });
        Assert.Equal(expected, model.Dtype);
        using var scope = NewDisposeScope();
        var golden = HfFixtures.Case("llama__base");
        var logits = BaseModelGoldenTests.DenseForward(model, golden.Prompts[1].InputIds);
        Assert.Equal(ScalarType.Float32, logits.dtype);
        double diff = (logits[^1] - golden.Logits("p1.last_logits")).abs().max().item<float>();
        Assert.InRange(diff, 1e-7, tolerance);
    }

    [Theory]
    [InlineData(ScalarType.Float16, 0.01)]
    [InlineData(ScalarType.BFloat16, 0.1)]
    public void A_half_precision_kv_cache_under_a_float32_model_decodes_close_to_float32(ScalarType kvDtype, double tolerance)
    {
        var golden = HfFixtures.Case("llama__base");
        var model = ModelCache.Family("llama");
        using var runner = new CachedRunner(model, kvDtype: kvDtype);
        Assert.Equal(kvDtype, runner.Cache.Dtype);
        var prompt = golden.Prompts[1];
        var stepLogits = golden.Logits($"{prompt.Name}.gen_step_logits");
        var seq = runner.NewSequence();
        int[] next = prompt.InputIds;
        double worst = 0;
        for (int step = 0; step < prompt.GreedyNewTokens.Length; step++)
        {
            using var scope = NewDisposeScope();
            var logits = runner.Step([(seq, next)])[0];
            worst = Math.Max(worst, (logits - stepLogits[step]).abs().max().item<float>());
            next = [prompt.GreedyNewTokens[step]];
        }
        Assert.InRange(worst, 1e-7, tolerance);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }
}
