using Peft.Runtime.Models;
using Peft.Runtime.Models.Weights;
using Peft.Tools.DemoModel.Pretraining;
using Peft.Tools.DemoModel.Quantization;
using Peft.Tools.DemoModel.Tokenizer;
using Xunit.Abstractions;

namespace Peft.Tools.Tests.Quantization;

/// <summary>
/// The accuracy bar for INT8 on the committed demo model: held-out loss within 1% of float32 and greedy
/// continuations of corpus prompts token-equal for at least 95% of tokens. Here on unseen generated text (seed 7)
/// and a shorter prompt set than <c>demo-model quantization</c>, which measures the model's own held-out split.
/// </summary>
public sealed class QuantizedDemoModelTests(ITestOutputHelper log)
{
    private static DirectoryInfo ModelDirectory => new(Path.Combine(RepositoryRoot.Directory.FullName, "models", "demo"));

    [Fact]
    public void Int8_keeps_the_held_out_loss_within_one_percent_and_95_percent_of_greedy_tokens()
    {
        var tokenizer = TokenizerFiles.Load(ModelDirectory);
        using var reference = CausalLM.Load(ModelDirectory.FullName, new ModelLoadOptions());
        using var quantized = CausalLM.Load(ModelDirectory.FullName, new ModelLoadOptions { Quantization = WeightQuantization.Int8 });
        long floatBytes = reference.ResidentBytes.Values.Sum(), int8Bytes = quantized.ResidentBytes.Values.Sum();
        Assert.InRange(int8Bytes, 1, 0.3 * floatBytes);

        var corpus = PackedCorpus.Tokenize(DemoTokenizer.GeneratedText(seed: 7, 150_000), tokenizer, reference.Config.MaxPositionEmbeddings);
        int[] windows = [.. Enumerable.Range(0, 16)];
        var prompts = QuantizationCheck.CorpusPrompts(documents: 8, seed: 7, storyTokens: 24, shortTokens: 6);
        var result = new QuantizationCheck(reference, quantized, tokenizer).Run(corpus, windows, prompts);

        log.WriteLine($"bytes {int8Bytes:N0} / {floatBytes:N0}; held-out loss {result.ReferenceLoss:F5} -> {result.QuantizedLoss:F5} ({result.RelativeLossChange:P3}); " +
            $"greedy tokens equal {result.Equal}/{result.Compared} ({result.TokenAgreement:P2})");
        foreach (string d in result.Divergences.Take(5)) log.WriteLine($"differs: {d}");
        Assert.InRange(Math.Abs(result.RelativeLossChange), 0, 0.01);
        Assert.InRange(result.TokenAgreement, 0.95, 1);
    }
}
