using Peft.Runtime.Models;
using Peft.Runtime.Models.Attention;
using Peft.Tools.DemoModel;
using Peft.Tools.DemoModel.Pretraining;
using Peft.Tools.DemoModel.Tokenizer;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Tools.Tests.Pretraining;

/// <summary>A few steps of real pretraining on a tiny config: the loss falls and the written directory is the trained model.</summary>
public sealed class PretrainingTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("demo-pretrain-");

    public void Dispose() => _dir.Delete(recursive: true);

    private static readonly ModelSize Tiny = new() { Hidden = 32, Layers = 2, Heads = 4, KeyValueHeads = 2, Intermediate = 64, Context = 32 };

    private (FileInfo Corpus, DirectoryInfo Tokenizer) Inputs()
    {
        var corpus = new FileInfo(Path.Combine(_dir.FullName, "corpus.txt"));
        File.WriteAllText(corpus.FullName, DemoTokenizer.GeneratedText(seed: 5, bytes: 200_000));
        var tokenizer = new DirectoryInfo(Path.Combine(_dir.FullName, "tok"));
        TokenizerFiles.Save(tokenizer, DemoTokenizer.Model, modelMaxLength: Tiny.Context);
        return (corpus, tokenizer);
    }

    [Fact]
    public void A_short_run_lowers_the_loss_and_writes_a_checkpoint_that_loads_with_identical_logits()
    {
        var (corpus, tokenizer) = Inputs();
        var output = new DirectoryInfo(Path.Combine(_dir.FullName, "model"));
        var options = new PretrainOptions { Steps = 40, Batch = 4, LearningRate = 1e-2, WarmupSteps = 4, HeldOutWindows = 4, LogEvery = 20 };
        var log = new StringWriter();

        var (trained, result) = DemoPretraining.Run(corpus, tokenizer, output, Tiny, options, "demo-model pretrain (test)", log);
        using var _ = trained;
        using var reloaded = CausalLM.Load(output.FullName, new ModelLoadOptions());

        Assert.Equal(40, result.Steps);
        Assert.True(result.FinalHeldOutLoss < result.InitialHeldOutLoss - 1.0, log.ToString());
        Assert.Equal(ModelDirectoryWriter.FileNames.Order(StringComparer.Ordinal),
            output.EnumerateFiles().Select(f => f.Name).Order(StringComparer.Ordinal));
        Assert.Contains("demo-model pretrain (test)", File.ReadAllText(Path.Combine(output.FullName, "README.md")), StringComparison.Ordinal);

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        int[] lengths = [7, 12];
        var batch = new ForwardBatch
        {
            TokenIds = randint(0, trained.Config.VocabSize, [19], generator: new Generator(3), dtype: ScalarType.Int64),
            Positions = cat([arange(7, ScalarType.Int64), arange(12, ScalarType.Int64)]),
            QueryLengths = lengths,
        };
        var before = trained.Forward(batch, new DenseAttention(lengths)).data<float>().ToArray();
        var after = reloaded.Forward(batch, new DenseAttention(lengths)).data<float>().ToArray();
        Assert.Equal(before, after);
    }

    [Fact]
    public void A_time_budget_shortens_the_run_after_timing_its_first_steps()
    {
        var (corpus, tokenizer) = Inputs();
        var options = new PretrainOptions { Steps = 1000, Batch = 1, WarmupSteps = 2, HeldOutWindows = 2, TimeBudget = TimeSpan.FromMilliseconds(1) };

        var (model, result) = DemoPretraining.Run(corpus, tokenizer, new DirectoryInfo(Path.Combine(_dir.FullName, "budget")),
            Tiny with { Layers = 1 }, options, "budget", TextWriter.Null);
        model.Dispose();

        Assert.Equal(5, result.Steps);   // the calibration steps, never fewer
    }

    [Fact]
    public void Packed_windows_wrap_documents_in_bos_and_eos_and_shift_targets_by_one()
    {
        var tokenizer = DemoTokenizer.Model;
        var corpus = PackedCorpus.Tokenize("One cat.\n\nTwo dogs ran.\n\nThree.\n", tokenizer, context: 4);
        List<int> stream = [.. tokenizer.Encode("One cat.", addBos: true), tokenizer.EosId,
            .. tokenizer.Encode("Two dogs ran.", addBos: true), tokenizer.EosId, .. tokenizer.Encode("Three.", addBos: true), tokenizer.EosId];

        Assert.Equal(3, corpus.DocumentCount);
        Assert.Equal(stream.Count, corpus.TokenCount);
        using var scope = NewDisposeScope();
        var (inputs, targets) = corpus.Batch([1, 0]);
        Assert.Equal(stream[4..8].Concat(stream[0..4]).Select(i => (long)i), inputs.data<long>().ToArray());
        Assert.Equal(stream[5..9].Concat(stream[1..5]).Select(i => (long)i), targets.data<long>().ToArray());
    }

    [Fact]
    public async Task The_cli_refuses_bad_sizes_and_foreign_output_directories()
    {
        var (corpus, tokenizer) = Inputs();
        var error = new StringWriter();
        int code = await DemoModelCli.RunAsync(
            ["pretrain", "--corpus", corpus.FullName, "--tokenizer", tokenizer.FullName, "--out", Path.Combine(_dir.FullName, "m"), "--hidden", "30", "--heads", "4"],
            TextWriter.Null, error);
        Assert.Equal(DemoModelCli.Failure, code);
        Assert.Contains("--hidden 30", error.ToString(), StringComparison.Ordinal);

        // --out pointing at a directory with other files (here the test's own) must not be touched.
        error = new StringWriter();
        code = await DemoModelCli.RunAsync(
            ["pretrain", "--corpus", corpus.FullName, "--tokenizer", tokenizer.FullName, "--out", _dir.FullName,
             "--hidden", "32", "--layers", "1", "--intermediate", "32", "--context", "16", "--steps", "1", "--batch", "1"],
            TextWriter.Null, error);
        Assert.Equal(DemoModelCli.Failure, code);
        Assert.Contains("corpus.txt", error.ToString(), StringComparison.Ordinal);
        Assert.True(File.Exists(corpus.FullName));
    }
}
