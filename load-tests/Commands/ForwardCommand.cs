using System.CommandLine;
using Peft.LoadTests.Benchmarks;
using Peft.LoadTests.Reporting;
using Peft.LoadTests.Synthetic;
using Peft.Runtime.Models;
using Peft.Runtime.Models.Weights;

namespace Peft.LoadTests.Commands;

/// <summary><c>forward</c>: prefill and decode tokens/s against the bare matmul rate (issue 3).</summary>
internal static class ForwardCommand
{
    public static Command Create(CommonOptions common, IReadOnlyList<string> args, TextWriter log)
    {
        var batches = new Option<string>("--batches") { Description = "Batch sizes", DefaultValueFactory = _ => "1,8,32" };
        var prompt = new Option<int>("--prompt") { Description = "Prompt length of prefill, and the context of decode", DefaultValueFactory = _ => 128 };
        var steps = new Option<int>("--decode-steps") { Description = "Timed decode steps per batch size", DefaultValueFactory = _ => 8 };
        var reps = new Option<int>("--reps") { Description = "Timed prefill passes per batch size", DefaultValueFactory = _ => 3 };
        var thread = new Option<string>("--thread") { Description = "Where the passes run: main (this thread) or dedicated (a new thread, as the engine does)", DefaultValueFactory = _ => "main" };
        var models = new Option<string>("--models") { Description = "Which models: demo, bench, or a model directory (comma-separated)", DefaultValueFactory = _ => "demo,bench" };
        var quantize = new Option<string>("--quantize") { Description = "Base weights: none, int8, or both (none,int8: the two run batch size by batch size, in one process)", DefaultValueFactory = _ => "none" };
        var name = new Option<string>("--name") { Description = "File name stem of the results", DefaultValueFactory = _ => "forward" };
        var command = new Command("forward", "Prefill and decode tokens/s at several batch sizes, with the bare matmul rate of the same shapes")
        {
            batches, prompt, steps, reps, models, thread, quantize, name,
        };
        command.SetAction(parse =>
        {
            common.Apply(parse);
            var settings = new ForwardSettings
            {
                Batches = ListOption.Ints(parse.GetValue(batches)!),
                PromptLength = parse.GetValue(prompt),
                DecodeSteps = parse.GetValue(steps),
                Repetitions = parse.GetValue(reps),
                Seed = parse.GetValue(common.Seed),
            };
            var cache = new BenchCache(parse.GetValue(common.Cache)!);
            var rows = new List<ForwardRow>();
            var notes = new List<string>();
            var formats = ListOption.Split(parse.GetValue(quantize)!).Select(WeightQuantization.ParseFormat).Distinct().ToArray();
            var load = new ModelLoadOptions { Threads = parse.GetValue(common.Threads) ?? 0 };
            foreach (string which in ListOption.Split(parse.GetValue(models)!))
            {
                var variants = new List<(CausalLM Model, ForwardBenchmark Benchmark)>();
                try
                {
                    foreach (var format in formats)
                    {
                        var options = load with { Quantization = format == WeightFormat.Int8 ? WeightQuantization.Int8 : WeightQuantization.None };
                        var model = Open(which, cache, parse.GetValue(common.Seed), options, notes, log);
                        if (model is null) break;
                        string label = format == WeightFormat.Int8 ? $"{Label(which)} int8" : Label(which);
                        notes.Add($"{label}: resident weights {string.Join(", ", model.ResidentBytes.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value / 1e6:F1} MB"))}");
                        variants.Add((model, new ForwardBenchmark(model, label, settings, log)));
                    }
                    // Variants take turns batch size by batch size, so drift on a shared machine hits them alike.
                    void RunAll()
                    {
                        foreach (int batch in settings.Batches)
                            foreach (var (_, benchmark) in variants) rows.AddRange(benchmark.Run(batch));
                    }
                    if (parse.GetValue(thread) == "dedicated") OnDedicatedThread(RunAll);
                    else RunAll();
                }
                finally
                {
                    foreach (var (model, _) in variants) model.Dispose();
                }
            }
            var report = new ForwardReport(MachineInfo.Current("CPU", args), settings, rows, notes);
            CommonOptions.Save(parse.GetValue(common.Out)!, parse.GetValue(name)!, report, ForwardMarkdown.Render(report), log);
            return 0;
        });
        return command;
    }

    private static void OnDedicatedThread(Action action)
    {
        var worker = new Thread(() => action()) { Name = "forward-benchmark" };
        worker.Start();
        worker.Join();
    }

    private static CausalLM? Open(string which, BenchCache cache, int seed, ModelLoadOptions options, List<string> notes, TextWriter log)
    {
        if (which == "bench") return BenchModels.Synthetic(cache, ModelShape.Bench, seed, log, options);
        string directory = which == "demo" ? BenchModels.DemoDirectory : which;
        if (!File.Exists(Path.Combine(directory, "config.json")))
        {
            string note = $"{which}: no model at {directory} (models/demo is not in this branch yet); skipped";
            log.WriteLine(note);
            notes.Add(note);
            return null;
        }
        log.WriteLine($"model {directory}");
        return CausalLM.Load(directory, options);
    }

    private static string Label(string which) => which switch
    {
        "bench" => "bench (h1024, 8 layers, GQA 16/4)",
        "demo" => "demo",
        _ => Path.GetFileName(Path.TrimEndingDirectorySeparator(which)),
    };
}
