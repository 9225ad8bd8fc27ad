using Peft.Runtime.Models;
using Peft.Runtime.Models.Weights;
using Peft.Runtime.Tests.Fixtures;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Models.Weights;

/// <summary>
/// Models loaded with INT8 matrices: every family loads and stays close to its float self, each linear layer of the
/// demo model stays within the quantization bound of its float layer, and the resident bytes are what they claim.
/// </summary>
public sealed class Int8ModelTests(ITestOutputHelper log)
{
    public static TheoryData<string> Families => new() { "llama", "gpt2", "qwen2", "llama3rope", "mistral" };

    [Theory]
    [MemberData(nameof(Families))]
    public void Every_family_loads_in_int8_and_its_logits_stay_close_to_float(string family)
    {
        var reference = ModelCache.Family(family);
        var quantized = ModelCache.Int8(family);
        using var scope = NewDisposeScope();
        foreach (var prompt in HfFixtures.Case($"{family}__base").Prompts)
        {
            var expected = BaseModelGoldenTests.DenseForward(reference, prompt.InputIds);
            var actual = BaseModelGoldenTests.DenseForward(quantized, prompt.InputIds);
            // RMS error relative to the spread of the logits. The fixtures are random models (weights N(0, 0.2²)) that
            // amplify any perturbation layer by layer, so this is a loose check that every family's matrices load and
            // multiply right; the accuracy bar is held on the trained demo model (Tools.Tests).
            double error = actual.sub(expected).pow(2).mean().sqrt().item<float>() / expected.std().item<float>();
            log.WriteLine($"{family} {prompt.Name}: rms logit error / std(logits) = {error:E2}, max {actual.sub(expected).abs().max().item<float>() / expected.std().item<float>():E2}");
            Assert.InRange(error, 0, 0.1);
        }
        Assert.All(quantized.LinearSites, s => Assert.Equal(WeightFormat.Int8, quantized.SiteWeight(s).Format));
        Assert.Equal(WeightFormat.Int8, quantized.HeadWeight.Format);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Resident_bytes_count_int8_values_and_float_scales_norms_and_biases(string family)
    {
        var reference = ModelCache.Family(family);
        var quantized = ModelCache.Int8(family);
        long floatBytes = reference.ResidentBytes.Values.Sum();
        Assert.Equal([reference.Dtype == ScalarType.Float32 ? "float32" : "?"], reference.ResidentBytes.Keys);
        Assert.Equal(["float32", "int8"], quantized.ResidentBytes.Keys.Order(StringComparer.Ordinal));
        // Matrices: 1 byte per value plus padding to tiles of 4 rows x 64 columns; scales, norms, biases in float32.
        log.WriteLine($"{family}: {string.Join(", ", quantized.ResidentBytes.Select(p => $"{p.Key} {p.Value:N0}"))} of {floatBytes:N0} float32 bytes");
        Assert.InRange(quantized.ResidentBytes.Values.Sum(), 1, 0.35 * floatBytes);
        // What stays float is listed as a weight; quantized matrices are not.
        Assert.All(quantized.Weights, w => Assert.Equal(1, w.Tensor.dim()));
    }

    [Fact]
    public void Each_demo_model_linear_stays_within_its_weight_rounding_bound_on_real_activations()
    {
        string directory = Path.Combine(HfFixtures.RepositoryRoot(), "models", "demo");
        using var reference = CausalLM.Load(directory, new ModelLoadOptions());
        using var quantized = CausalLM.Load(directory, new ModelLoadOptions { Quantization = WeightQuantization.Int8 });
        using var scope = NewDisposeScope();
        // Embedding rows of real tokens, normalised: the scale of the inputs every block linear sees.
        var x = reference.EmbedTokens(arange(3, 67, dtype: ScalarType.Int64));
        x = x.div(x.pow(2).mean([1], keepdim: true).sqrt());
        foreach (var site in reference.LinearSites)
        {
            var input = site.InFeatures == x.shape[1] ? x : randn(64, site.InFeatures, generator: new Generator((ulong)site.Index));
            var dense = reference.SiteWeight(site).ToDense(ScalarType.Float32);
            var expected = input.matmul(dense.t());
            var actual = quantized.SiteWeight(site).Linear(input, null);
            var bound = Int8Reference.WeightRoundingBound(input, dense).add(Int8Reference.KernelBound(input, Int8Reference.Dequantized(dense)));
            var error = actual.to(ScalarType.Float64).sub(expected.to(ScalarType.Float64)).abs();
            log.WriteLine($"{site.Path} [{site.OutFeatures}x{site.InFeatures}]: max error {error.max().item<double>():E2} " +
                $"({error.max().item<double>() / expected.abs().max().item<float>():P3} of max |y|), bound {bound.max().item<double>():E2}");
            Assert.True(error.le(bound).all().item<bool>(), site.Path);
        }
    }

    [Fact]
    public void A_tied_table_is_one_matrix_when_held_alike_and_a_float_and_an_int8_copy_when_not()
    {
        string directory = Path.Combine(HfFixtures.RepositoryRoot(), "models", "demo");
        using var both = CausalLM.Load(directory, new ModelLoadOptions { Quantization = WeightQuantization.Int8 });
        using var headOnly = CausalLM.Load(directory, new ModelLoadOptions { Quantization = WeightQuantization.Int8 with { Embeddings = false } });
        using var reference = CausalLM.Load(directory, new ModelLoadOptions());
        using var scope = NewDisposeScope();
        Assert.Equal(WeightFormat.Int8, both.HeadWeight.Format);
        Assert.Equal(WeightFormat.Int8, headOnly.HeadWeight.Format);
        var ids = tensor(new long[] { 5, 17, 1000 });
        Assert.True(headOnly.EmbedTokens(ids).eq(reference.EmbedTokens(ids)).all().item<bool>(), "float embeddings are the checkpoint's rows");
        Assert.False(both.EmbedTokens(ids).eq(reference.EmbedTokens(ids)).all().item<bool>(), "int8 embeddings are dequantized rows");
        Assert.Contains(headOnly.Weights, w => w.Name == "model.embed_tokens.weight");
        Assert.DoesNotContain(both.Weights, w => w.Name == "model.embed_tokens.weight");
        Assert.True(headOnly.ResidentBytes["float32"] > both.ResidentBytes["float32"] + 1_000_000);
    }
}
