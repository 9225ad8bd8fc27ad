using System.CommandLine;
using Peft.LoadTests.Benchmarks;
using Peft.LoadTests.Reporting;

namespace Peft.LoadTests.Commands;

/// <summary>
/// <c>train-serve</c>: decode latency with and without an adapter training job on the same engine (issue 7's target:
/// p50 time per output token with a job running at most 2× the idle figure), on the demo model and the demo task.
/// </summary>
internal static class TrainServeCommand
{
    public static Command Create(CommonOptions common, IReadOnlyList<string> args, TextWriter log)
    {
        var model = new Option<string>("--model") { Description = "Model directory (with a tokenizer)", DefaultValueFactory = _ => Path.Combine("models", "demo") };
        var data = new Option<string>("--data") { Description = "Training JSONL", DefaultValueFactory = _ => Path.Combine("datasets", "demo-task", "train.jsonl") };
        var concurrency = new Option<int>("--concurrency") { Description = "Requests in flight at once", DefaultValueFactory = _ => 8 };
        var requests = new Option<int>("--requests") { Description = "Requests per phase", DefaultValueFactory = _ => 48 };
        var newTokens = new Option<int>("--new-tokens") { Description = "Tokens generated per request", DefaultValueFactory = _ => 48 };
        var batch = new Option<int>("--train-batch") { Description = "Examples per training micro-batch", DefaultValueFactory = _ => 16 };
        var name = new Option<string>("--name") { Description = "File name stem of the results", DefaultValueFactory = _ => "train-serve" };
        var command = new Command("train-serve", "Decode latency while an adapter trains on the same engine, against the same load with the engine idle")
        {
            model, data, concurrency, requests, newTokens, batch, name,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            common.Apply(parse);
            var settings = new TrainServeSettings(parse.GetValue(model)!, parse.GetValue(data)!, parse.GetValue(concurrency), parse.GetValue(requests),
                parse.GetValue(newTokens), parse.GetValue(batch));
            var report = await TrainServeBenchmark.RunAsync(settings, log, cancellationToken);
            var full = new TrainServeReport(MachineInfo.Current("CPU", args), settings, report);
            CommonOptions.Save(parse.GetValue(common.Out)!, parse.GetValue(name)!, full, TrainServeReport.Markdown(full), log);
            return 0;
        });
        return command;
    }
}
