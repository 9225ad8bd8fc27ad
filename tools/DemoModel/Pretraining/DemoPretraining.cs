using System.Diagnostics;
using System.Globalization;
using Peft.Runtime.Models;
using Peft.Tools.DemoModel.Generation;
using Peft.Tools.DemoModel.Tokenizer;
using TorchSharp;

namespace Peft.Tools.DemoModel.Pretraining;

/// <summary>
/// The <c>pretrain</c> pipeline: tokenize and pack the corpus, write a freshly initialised checkpoint and load it with
/// <see cref="CausalLM.Load"/> (so training runs the serving model code on the tensors a reader would get), train, and
/// write the Hugging Face model directory with a model card and greedy samples.
/// </summary>
internal static class DemoPretraining
{
    /// <summary>Story openings the card and the log show greedy continuations of.</summary>
    public static IReadOnlyList<string> SamplePrompts { get; } =
        ["Once upon a time", "Mia had a red", "A frog is", "\"What is your name?\""];

    public const int SampleTokens = 60;

    /// <returns>The trained model (the caller disposes it) and what the run did.</returns>
    public static (CausalLM Model, PretrainResult Result) Run(
        FileInfo corpusFile, DirectoryInfo tokenizerDirectory, DirectoryInfo outDirectory, ModelSize size, PretrainOptions options,
        string command, TextWriter log)
    {
        options.Validate();
        var clock = Stopwatch.StartNew();
        var tokenizer = TokenizerFiles.Load(tokenizerDirectory);
        var shape = size.ToShape(tokenizer);
        string text = File.ReadAllText(corpusFile.FullName);
        var corpus = PackedCorpus.Tokenize(text, tokenizer, size.Context);
        log.WriteLine(Invariant($"tokenized {corpusFile.Length:N0} bytes in {clock.Elapsed.TotalSeconds:F1} s ({corpusFile.Length / (double)corpus.TokenCount:F2} bytes/token)"));
        log.WriteLine($"model: {shape}");
        string machine = Invariant($"{Environment.ProcessorCount} CPU cores, {torch.get_num_threads()} libtorch thread{(torch.get_num_threads() == 1 ? "" : "s")}");
        log.WriteLine($"machine: {machine}");

        var model = LoadInitialised(shape, options.Seed);
        try
        {
            var result = new Pretrainer(model, corpus, options, log).Run();

            var decoder = new GreedyDecoder(model, tokenizer);
            var samples = SamplePrompts.Select(p => (p, decoder.ContinueText(p, SampleTokens))).ToList();
            foreach (var (prompt, continuation) in samples) log.WriteLine($"sample: {prompt}{continuation}");
            var (known, things, _) = new KnowledgeProbe(decoder).Run();
            log.WriteLine(Invariant($"knows the kind of {known}/{things} things (\"A frog is\" -> \" an animal.\")"));

            var card = new ModelCard(shape, options, result, command, machine, corpusFile.Length, samples, (known, things));
            ModelDirectoryWriter.Write(outDirectory, model, shape, tokenizerDirectory, card);
            long bytes = new FileInfo(Path.Combine(outDirectory.FullName, ModelWeightsFile.FileName)).Length;
            log.WriteLine(Invariant($"wrote {outDirectory.FullName} ({bytes / 1e6:F1} MB of weights); {clock.Elapsed.TotalSeconds:F1} s in all"));
            return (model, result);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>A fresh checkpoint on disk (a temporary directory), read back by the loader that serves models.</summary>
    private static CausalLM LoadInitialised(LlamaShape shape, ulong seed)
    {
        var directory = Directory.CreateTempSubdirectory("demo-model-init-");
        try
        {
            InitialCheckpoint.Write(directory, shape, seed);
            return CausalLM.Load(directory.FullName, new ModelLoadOptions());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static string Invariant(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);
}
