using System.CommandLine;
using Peft.LoadTests.Benchmarks;
using Peft.LoadTests.Reporting;
using Peft.LoadTests.Synthetic;
using Peft.Runtime.Adapters.Serving;

namespace Peft.LoadTests.Commands;

/// <summary><c>lora</c>: issue 5's headline numbers on the bench config.</summary>
internal static class LoraCommand
{
    public static Command Create(CommonOptions common, IReadOnlyList<string> args, TextWriter log)
    {
        var defaults = new LoraSettings();
        var reps = new Option<int>("--reps") { Description = "Interleaved repetitions of base / mixed / single", DefaultValueFactory = _ => defaults.Repetitions };
        var serialReps = new Option<int>("--serial-reps") { Description = "Repetitions of the one-adapter-at-a-time baseline", DefaultValueFactory = _ => defaults.OneAtATimeRepetitions };
        var newTokens = new Option<int>("--new-tokens") { Description = "Tokens generated per request", DefaultValueFactory = _ => defaults.NewTokens };
        var prompt = new Option<int>("--prompt") { Description = "Prompt length", DefaultValueFactory = _ => defaults.PromptLength };
        var kernels = new Option<string>("--kernels") { Description = "gather, segment or both", DefaultValueFactory = _ => "gather,segment" };
        var zipfAdapters = new Option<int>("--zipf-adapters") { Description = "Registered adapters of the Zipf run (0 skips it)", DefaultValueFactory = _ => defaults.ZipfAdapters };
        var zipfRequests = new Option<int>("--zipf-requests") { Description = "Requests of the Zipf run", DefaultValueFactory = _ => defaults.ZipfRequests };
        var alpha = new Option<double>("--alpha") { Description = "Zipf exponent of adapter popularity", DefaultValueFactory = _ => defaults.ZipfAlpha };
        var hostBudget = new Option<int>("--host-budget-mb") { Description = "Registry host budget of the Zipf run", DefaultValueFactory = _ => (int)(defaults.HostBudgetBytes >> 20) };
        var profileSteps = new Option<int>("--profile-steps") { Description = "Decode steps profiled per variant", DefaultValueFactory = _ => defaults.ProfileSteps };
        var name = new Option<string>("--name") { Description = "File name stem of the results", DefaultValueFactory = _ => "lora" };
        var methods = new Option<bool>("--mixed-methods") { Description = "Also a wave mixing distinct LoRA, DoRA and IA³ adapters", DefaultValueFactory = _ => defaults.MixedMethods };
        var tiny = new Option<bool>("--tiny") { Description = "A tiny model shape and 6 requests of 4 new tokens: checks the benchmark runs, measures nothing" };
        var command = new Command("lora", "Mixed-adapter decode throughput against base, single-adapter and one-adapter-at-a-time serving; 1,000 adapters under Zipf popularity")
        {
            reps, serialReps, newTokens, prompt, kernels, zipfAdapters, zipfRequests, alpha, hostBudget, profileSteps, name, methods, tiny,
        };
        command.SetAction(async (parse, _) =>
        {
            common.Apply(parse);
            var settings = defaults with
            {
                Repetitions = parse.GetValue(reps),
                OneAtATimeRepetitions = parse.GetValue(serialReps),
                NewTokens = parse.GetValue(newTokens),
                PromptLength = parse.GetValue(prompt),
                Kernels = [.. ListOption.Split(parse.GetValue(kernels)!).Select(k => Enum.Parse<LoraKernel>(k, ignoreCase: true))],
                Zipf = parse.GetValue(zipfAdapters) > 0,
                ZipfAdapters = Math.Max(parse.GetValue(zipfAdapters), defaults.Slots),
                ZipfRequests = parse.GetValue(zipfRequests),
                ZipfAlpha = parse.GetValue(alpha),
                HostBudgetBytes = (long)parse.GetValue(hostBudget) << 20,
                ProfileSteps = parse.GetValue(profileSteps),
                Seed = parse.GetValue(common.Seed),
                MixedMethods = parse.GetValue(methods),
            };
            var shape = ModelShape.Bench;
            if (parse.GetValue(tiny))
            {
                shape = ModelShape.Tiny;
                settings = settings with { Adapters = 6, Requests = 6, Concurrency = 6, NewTokens = Math.Min(settings.NewTokens, 4), Slots = 8, ZipfAdapters = Math.Min(settings.ZipfAdapters, 16), ZipfRequests = 8 };
            }
            var cache = new BenchCache(parse.GetValue(common.Cache)!);
            using var model = BenchModels.Synthetic(cache, shape, settings.Seed, log);
            var (runs, summary, profile) = await new LoraBenchmark(model, shape, cache, settings, log).RunAsync();
            foreach (var k in summary)
                log.WriteLine($"{k.Kernel}: mixed/base {k.MixedOverBase:0.00}, mixed/one-at-a-time {k.MixedOverOneAtATime:0.00}x, single/base {k.SingleOverBase:0.00}");
            var zipf = settings.Zipf ? await new ZipfBenchmark(model, shape, cache, settings, log).RunAsync() : null;
            var report = new LoraReport
            {
                Machine = MachineInfo.Current("CPU", args),
                Settings = settings,
                Runs = runs,
                Summary = summary,
                Profile = profile,
                Zipf = zipf,
            };
            CommonOptions.Save(parse.GetValue(common.Out)!, parse.GetValue(name)!, report, LoraMarkdown.Render(report), log);
            return 0;
        });
        return command;
    }
}
