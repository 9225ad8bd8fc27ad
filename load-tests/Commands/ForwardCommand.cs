using System.CommandLine;
using Peft.LoadTests.Benchmarks;
using Peft.LoadTests.Reporting;
using Peft.LoadTests.Synthetic;
using Peft.Runtime.Models;

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
        var name = new Option<string>("--name") { Description = "File name stem of the results", DefaultValueFactory = _ => "forward" };
        var command = new Command("forward", "Prefill and decode tokens/s at several batch sizes, with the bare matmul rate of the same shapes")
        {
            batches, prompt, steps, reps, models, thread, name,
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
            foreach (string which in ListOption.Split(parse.GetValue(models)!))
            {
                using var model = Open(which, cache, parse.GetValue(common.Seed), notes, log);
                if (model is null) continue;
                var benchmark = new ForwardBenchmark(model, Label(which), settings, log);
                if (parse.GetValue(thread) == "dedicated") OnDedicatedThread(() => rows.AddRange(benchmark.Run()));
                else rows.AddRange(benchmark.Run());
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

    private static CausalLM? Open(string which, BenchCache cache, int seed, List<string> notes, TextWriter log)
    {
        if (which == "bench") return BenchModels.Synthetic(cache, ModelShape.Bench, seed, log);
        string directory = which == "demo" ? BenchModels.DemoDirectory : which;
        if (!File.Exists(Path.Combine(directory, "config.json")))
        {
            string note = $"{which}: no model at {directory} (models/demo is not in this branch yet); skipped";
            log.WriteLine(note);
            notes.Add(note);
            return null;
        }
        log.WriteLine($"model {directory}");
        return CausalLM.Load(directory, new ModelLoadOptions());
    }

    private static string Label(string which) => which switch
    {
        "bench" => "bench (h1024, 8 layers, GQA 16/4)",
        "demo" => "demo",
        _ => Path.GetFileName(Path.TrimEndingDirectorySeparator(which)),
    };
}
