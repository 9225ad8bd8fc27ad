using System.CommandLine;
using Peft.Tools.DemoModel.Pretraining;
using TorchSharp;

namespace Peft.Tools.DemoModel.Commands;

/// <summary>
/// <c>demo-model pretrain --corpus FILE --tokenizer DIR --out DIR [sizes] [training]</c>: trains the demo model from
/// scratch and writes it in the Hugging Face layout.
/// </summary>
internal static class PretrainCommand
{
    public static Command Create(TextWriter output)
    {
        var size = new ModelSize();
        var training = new PretrainOptions();
        var corpus = new Option<FileInfo>("--corpus") { Description = "Training text (documents separated by blank lines)", Required = true };
        var tokenizer = new Option<DirectoryInfo>("--tokenizer") { Description = "Directory with tokenizer.json and tokenizer_config.json", Required = true };
        var outDir = new Option<DirectoryInfo>("--out") { Description = "Model directory to write (new, empty, or a previous model)", Required = true };
        var hidden = new Option<int>("--hidden") { Description = "Hidden size", DefaultValueFactory = _ => size.Hidden };
        var layers = new Option<int>("--layers") { Description = "Decoder layers", DefaultValueFactory = _ => size.Layers };
        var heads = new Option<int>("--heads") { Description = "Attention heads", DefaultValueFactory = _ => size.Heads };
        var kvHeads = new Option<int>("--kv-heads") { Description = "Key/value heads (grouped-query attention when fewer than --heads)", DefaultValueFactory = _ => size.KeyValueHeads };
        var intermediate = new Option<int>("--intermediate") { Description = "MLP intermediate size", DefaultValueFactory = _ => size.Intermediate };
        var context = new Option<int>("--context") { Description = "Training window in tokens; written as max_position_embeddings", DefaultValueFactory = _ => size.Context };
        var steps = new Option<int>("--steps") { Description = "Optimizer steps", DefaultValueFactory = _ => training.Steps };
        var batch = new Option<int>("--batch") { Description = "Windows per step", DefaultValueFactory = _ => training.Batch };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate (cosine decay to 0)", DefaultValueFactory = _ => training.LearningRate };
        var warmup = new Option<int>("--warmup") { Description = "Linear warmup steps", DefaultValueFactory = _ => training.WarmupSteps };
        var weightDecay = new Option<double>("--weight-decay") { Description = "AdamW decoupled weight decay", DefaultValueFactory = _ => training.WeightDecay };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the initial weights and the window order", DefaultValueFactory = _ => training.Seed };
        var minutes = new Option<double?>("--minutes") { Description = "Time budget: fewer steps if --steps would not fit (then machine-dependent)" };
        var threads = new Option<int>("--threads")
        {
            Description = "CPU threads for libtorch; 0 keeps its default (one per core). On a shared machine 1 can be faster: spinning threads wait on each other",
            DefaultValueFactory = _ => 0,
        };
        var logEvery = new Option<int>("--log-every") { Description = "Print progress every N steps", DefaultValueFactory = _ => training.LogEvery };

        var command = new Command("pretrain", "Pretrain the demo model (Llama architecture) on the corpus and write it in Hugging Face format.")
        {
            corpus, tokenizer, outDir, hidden, layers, heads, kvHeads, intermediate, context, steps, batch, lr, warmup, weightDecay, seed, minutes, threads, logEvery,
        };
        command.SetAction(parse =>
        {
            var modelSize = new ModelSize
            {
                Hidden = parse.GetValue(hidden),
                Layers = parse.GetValue(layers),
                Heads = parse.GetValue(heads),
                KeyValueHeads = parse.GetValue(kvHeads),
                Intermediate = parse.GetValue(intermediate),
                Context = parse.GetValue(context),
            };
            double? budget = parse.GetValue(minutes);
            var options = new PretrainOptions
            {
                Steps = parse.GetValue(steps),
                Batch = parse.GetValue(batch),
                LearningRate = parse.GetValue(lr),
                WarmupSteps = parse.GetValue(warmup),
                WeightDecay = parse.GetValue(weightDecay),
                Seed = parse.GetValue(seed),
                TimeBudget = budget is { } m ? TimeSpan.FromMinutes(m) : null,
                LogEvery = parse.GetValue(logEvery),
            };
            int threadCount = parse.GetValue(threads);
            if (threadCount < 0) throw new ArgumentException($"--threads must be >= 0, got {threadCount}.");
            if (threadCount > 0) torch.set_num_threads(threadCount);
            var corpusFile = parse.GetValue(corpus)!;
            var tokenizerDirectory = parse.GetValue(tokenizer)!;
            var target = parse.GetValue(outDir)!;

            // The card records the run as one command with every value explicit, so it reproduces even if defaults change.
            string line = string.Join(' ', new[]
            {
                $"demo-model pretrain --corpus {corpusFile} --tokenizer {tokenizerDirectory} --out {target}",
                FormattableString.Invariant($"--hidden {modelSize.Hidden} --layers {modelSize.Layers} --heads {modelSize.Heads} --kv-heads {modelSize.KeyValueHeads}"),
                FormattableString.Invariant($"--intermediate {modelSize.Intermediate} --context {modelSize.Context} --steps {options.Steps} --batch {options.Batch}"),
                FormattableString.Invariant($"--lr {options.LearningRate} --warmup {options.WarmupSteps} --weight-decay {options.WeightDecay} --seed {options.Seed}"),
                budget is { } b ? FormattableString.Invariant($"--minutes {b}") : "",
            }).TrimEnd();

            var (model, _) = DemoPretraining.Run(corpusFile, tokenizerDirectory, target, modelSize, options, line, output);
            model.Dispose();
            return DemoModelCli.Ok;
        });
        return command;
    }
}
