using System.CommandLine;
using System.Globalization;
using Peft.Runtime.Models;
using Peft.Runtime.Models.Weights;
using Peft.Tools.DemoModel.Corpus;
using Peft.Tools.DemoModel.Pretraining;
using Peft.Tools.DemoModel.Quantization;
using Peft.Tools.DemoModel.Tokenizer;

namespace Peft.Tools.DemoModel.Commands;

/// <summary>
/// <c>demo-model quantization --model DIR</c>: the model in float32 against its INT8 form on the demo model's own
/// held-out windows (the last 16 of the 10 MB seed-1 corpus it was pretrained on) and on greedy continuations of
/// corpus prompts (docs/quantization.md).
/// </summary>
internal static class QuantizationCommand
{
    public static Command Create(TextWriter output)
    {
        var model = new Option<DirectoryInfo>("--model") { Description = "Hugging Face model directory", Required = true };
        var corpusMb = new Option<double>("--corpus-mb") { Description = "Size of the regenerated pretraining corpus whose last windows are held out", DefaultValueFactory = _ => 10 };
        var documents = new Option<int>("--documents") { Description = "Openings of unseen generated documents to continue", DefaultValueFactory = _ => 40 };
        var tokens = new Option<int>("--tokens") { Description = "Greedy tokens per story prompt (fact prompts get 8)", DefaultValueFactory = _ => 60 };
        var embeddings = new Option<bool>("--float-embeddings") { Description = "Keep the embedding table in float" };
        var head = new Option<bool>("--float-head") { Description = "Keep the output projection in float" };
        var show = new Option<int>("--show") { Description = "Print this many diverging continuations", DefaultValueFactory = _ => 5 };

        var command = new Command("quantization", "Compare the model with its INT8 form: held-out loss and greedy token agreement.")
        {
            model, corpusMb, documents, tokens, embeddings, head, show,
        };
        command.SetAction(async parse =>
        {
            var directory = parse.GetValue(model)!;
            var tokenizer = TokenizerFiles.Load(directory);
            using var reference = CausalLM.Load(directory.FullName, new ModelLoadOptions());
            var quantization = WeightQuantization.Int8 with { Embeddings = !parse.GetValue(embeddings), Head = !parse.GetValue(head) };
            using var quantized = CausalLM.Load(directory.FullName, new ModelLoadOptions { Quantization = quantization });

            var corpus = HeldOutCorpus(tokenizer, parse.GetValue(corpusMb), reference.Config.MaxPositionEmbeddings);
            int[] heldOut = [.. Enumerable.Range(corpus.WindowCount - new PretrainOptions().HeldOutWindows, new PretrainOptions().HeldOutWindows)];
            var prompts = QuantizationCheck.CorpusPrompts(parse.GetValue(documents), seed: 7, parse.GetValue(tokens), shortTokens: 8);
            var result = new QuantizationCheck(reference, quantized, tokenizer).Run(corpus, heldOut, prompts);

            await output.WriteLineAsync(Describe(reference, "float32") + "\n" + Describe(quantized, "int8"));
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"held-out loss ({heldOut.Length} windows of {corpus.Context}): float32 {result.ReferenceLoss:F5}, int8 {result.QuantizedLoss:F5} ({result.RelativeLossChange:+0.000%;-0.000%})"));
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"greedy tokens equal: {result.Equal}/{result.Compared} ({result.TokenAgreement:P2}); prompts continued identically: {result.IdenticalPrompts}/{result.Prompts}"));
            foreach (string d in result.Divergences.Take(parse.GetValue(show))) await output.WriteLineAsync($"  differs: {d.Replace("\n", "\\n", StringComparison.Ordinal)}");
            return DemoModelCli.Ok;
        });
        return command;
    }

    /// <summary>The pretraining corpus regenerated (seed 1), packed into the model's context.</summary>
    public static PackedCorpus HeldOutCorpus(BpeModel tokenizer, double megabytes, int context)
    {
        using var stream = new MemoryStream();
        CorpusWriter.Write(stream, new CorpusGenerator(1), (long)(megabytes * 1_000_000));
        return PackedCorpus.Tokenize(System.Text.Encoding.UTF8.GetString(stream.ToArray()), tokenizer, context);
    }

    private static string Describe(CausalLM model, string name) =>
        $"{name}: weights {string.Join(", ", model.ResidentBytes.OrderByDescending(p => p.Value).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value / 1e6:F2} MB")))}";
}
