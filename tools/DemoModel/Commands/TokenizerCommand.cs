using System.CommandLine;
using System.Diagnostics;
using Peft.Tools.DemoModel.Tokenizer;

namespace Peft.Tools.DemoModel.Commands;

/// <summary><c>demo-model tokenizer --corpus FILE --vocab-size N --out DIR</c>: trains and writes the byte-level BPE tokenizer.</summary>
internal static class TokenizerCommand
{
    public static Command Create(TextWriter output)
    {
        var corpus = new Option<FileInfo>("--corpus") { Description = "Training text (UTF-8)", Required = true };
        var vocabSize = new Option<int>("--vocab-size") { Description = "Vocabulary size, special tokens and 256 byte symbols included", DefaultValueFactory = _ => 2048 };
        var minFrequency = new Option<long>("--min-frequency") { Description = "Merge only pairs seen at least this often", DefaultValueFactory = _ => 2 };
        var maxLength = new Option<int>("--model-max-length") { Description = "Context length written to tokenizer_config.json", DefaultValueFactory = _ => 512 };
        var outDir = new Option<DirectoryInfo>("--out") { Description = "Directory for tokenizer.json and tokenizer_config.json", Required = true };

        var command = new Command("tokenizer", "Train a GPT-2-style byte-level BPE tokenizer and write it in Hugging Face format.")
        {
            corpus, vocabSize, minFrequency, maxLength, outDir,
        };
        command.SetAction(async parse =>
        {
            var file = parse.GetValue(corpus)!;
            var options = new BpeTrainerOptions { VocabSize = parse.GetValue(vocabSize), MinFrequency = parse.GetValue(minFrequency) };
            options.Validate();

            var clock = Stopwatch.StartNew();
            string text = await File.ReadAllTextAsync(file.FullName);
            var counts = PreTokenCounts.Of(text);
            var counted = clock.Elapsed;
            var model = BpeTrainer.Train(counts.Counts, options);
            var trained = clock.Elapsed;
            TokenizerFiles.Save(parse.GetValue(outDir)!, model, parse.GetValue(maxLength));

            await output.WriteLineAsync(
                $"{file.Length:N0} bytes, {counts.TotalPreTokens:N0} pre-tokens ({counts.Counts.Count:N0} distinct) counted in {counted.TotalSeconds:F2} s; " +
                $"{model.Merges.Count:N0} merges, vocab {model.VocabSize:N0}, trained in {(trained - counted).TotalSeconds:F2} s");
            if (model.VocabSize < options.VocabSize)
                await output.WriteLineAsync($"note: stopped at {model.VocabSize} tokens: no pair left occurs {options.MinFrequency}+ times");
            return DemoModelCli.Ok;
        });
        return command;
    }
}
