using Peft.Runtime.Adapters.Dora;
using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Models.Weights;
using Peft.Runtime.Tests.Fixtures;
using Peft.Runtime.Tests.Models;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Adapters;

/// <summary>
/// Every method of tests/fixtures/methods served on the same bases held in INT8 (block linears, embeddings and head):
/// the methods that read base values (DoRA's norms of the linears, the head and the embedding; the embedding and head
/// copies LoRA files carry) read the dequantized weights, and each row of a batch mixing every method gives what it
/// gives alone on that base.
/// </summary>
public sealed class Int8MethodTests(ITestOutputHelper output)
{
    public static TheoryData<string, LoraKernel> Batches => new()
    {
        { "llama", LoraKernel.Gather }, { "llama", LoraKernel.Segment }, { "gpt2", LoraKernel.Segment }, { "qwen2", LoraKernel.Gather },
    };

    [Theory]
    [MemberData(nameof(Batches))]
    public void A_batch_mixing_every_method_on_an_int8_base_matches_each_row_alone(string family, LoraKernel kernel)
    {
        string[] names = [.. ((IEnumerable<object[]>)MethodGoldenTests.Cases).Select(row => (string)row[0]).Where(n => n.StartsWith($"{family}__", StringComparison.Ordinal))];
        var cases = names.Select(MethodFixtures.Case).ToArray();
        var model = ModelCache.Int8Base(cases[0].BaseDirectory);
        Assert.All(model.LinearSites, s => Assert.Equal(WeightFormat.Int8, model.SiteWeight(s).Format));
        Assert.Equal(WeightFormat.Int8, model.HeadWeight.Format);
        Assert.Equal(WeightFormat.Int8, model.EmbeddingWeight.Format);
        Assert.Contains(names, n => n.Contains("dora", StringComparison.Ordinal));
        Assert.Contains(names, n => n.Contains("ia3", StringComparison.Ordinal));
        Assert.Contains(names, n => n.Contains("lora_embed_head", StringComparison.Ordinal));
        double worst = SoloAndMixed.Run(model, cases, kernel, steps: 10, "on the int8 base");
        output.WriteLine($"{family}, {cases.Length} rows ({string.Join(", ", names)}), {kernel}: max |logit diff| mixed vs alone {worst:E2}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1L << 20)]
    public void Base_norms_of_an_int8_matrix_read_block_by_block_equal_those_of_its_dequantized_whole(long blockElements)
    {
        var model = ModelCache.Int8Base(MethodFixtures.Case("llama__base").BaseDirectory);
        using var scope = NewDisposeScope();
        using var s = 0.75.ToScalar();
        var generator = new Generator(7);
        var linear = model.SiteWeight(model.LinearSites[3]);
        var (a, b) = (randn([4, linear.Columns], generator: generator), randn([linear.Rows, 4], generator: generator));
        var rows = BaseNorms.Rows(linear, ScalarType.Float32, a, b, s, blockElements);
        GoldenAssert.Close(DoraMath.WeightNorm(linear.ToDense(ScalarType.Float32), a, b, s), rows, $"row norms in blocks of {blockElements}", 1e-5);

        var embedding = model.EmbeddingWeight;
        var (ea, eb) = (randn([4, embedding.Rows], generator: generator), randn([embedding.Columns, 4], generator: generator));
        var columns = BaseNorms.Columns(embedding, ScalarType.Float32, ea, eb, s, blockElements);
        GoldenAssert.Close(DoraMath.WeightNorm(embedding.ToDense(ScalarType.Float32).t(), ea, eb, s), columns, $"column norms in blocks of {blockElements}", 1e-4);
    }
}
