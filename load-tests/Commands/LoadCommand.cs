using System.CommandLine;
using Peft.LoadTests.Benchmarks;
using Peft.LoadTests.Reporting;
using Peft.LoadTests.Synthetic;
using Peft.LoadTests.Targets;
using Peft.LoadTests.Workload;
using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Models;
using TorchSharp;

namespace Peft.LoadTests.Commands;

/// <summary><c>load</c>: the open-loop generator (S-LoRA style) against the engine in-process, or a server over gRPC or
/// over its OpenAI-compatible HTTP API (the same seeded workload, so TPOT over SSE compares with gRPC's).</summary>
internal static class LoadCommand
{
    public static Command Create(CommonOptions common, IReadOnlyList<string> args, TextWriter log)
    {
        var rate = new Option<double>("--rate") { Description = "Poisson arrival rate, requests/s", DefaultValueFactory = _ => 1.0 };
        var rates = new Option<string?>("--rates") { Description = "Sweep several rates (comma-separated); overrides --rate" };
        var alpha = new Option<double>("--alpha") { Description = "Zipf exponent of adapter popularity", DefaultValueFactory = _ => 1.0 };
        var adapters = new Option<int>("--adapters") { Description = "Number of adapters requests are spread over", DefaultValueFactory = _ => 32 };
        var duration = new Option<double?>("--duration") { Description = "Seconds of arrivals per scenario" };
        var requests = new Option<int?>("--requests") { Description = "Requests per scenario (with --duration: whichever ends first)" };
        var promptLength = new Option<string>("--prompt-len") { Description = "Prompt tokens: N, MIN:MAX (uniform) or a,b,c (one of)", DefaultValueFactory = _ => "8:32" };
        var outputLength = new Option<string>("--output-len") { Description = "Output tokens: N, MIN:MAX (uniform) or a,b,c (one of)", DefaultValueFactory = _ => "16:64" };
        var scenarios = new Option<string>("--scenarios") { Description = "mixed, base, single, one-at-a-time", DefaultValueFactory = _ => "mixed,base,single,one-at-a-time" };
        var drain = new Option<double>("--drain") { Description = "Seconds to wait for stragglers after the last arrival before cancelling them", DefaultValueFactory = _ => 120 };
        var sloTtft = new Option<double>("--slo-ttft") { Description = "TTFT objective, seconds", DefaultValueFactory = _ => 2.0 };
        var sloTpot = new Option<double>("--slo-tpot") { Description = "Time-per-output-token objective, seconds", DefaultValueFactory = _ => 0.5 };
        var sloE2e = new Option<double>("--slo-e2e") { Description = "End-to-end objective, seconds", DefaultValueFactory = _ => 30 };
        var grpc = new Option<string?>("--grpc") { Description = "Server address (e.g. http://127.0.0.1:50051); default: the engine in this process" };
        var http = new Option<string?>("--http") { Description = "Server address for the OpenAI-compatible API (POST /v1/completions, SSE), e.g. http://127.0.0.1:50051" };
        var vocab = new Option<int>("--vocab") { Description = "Prompt token ids are drawn below this (--grpc, --http: the served model's vocabulary)", DefaultValueFactory = _ => 32000 };
        var apiKey = new Option<string?>("--api-key") { Description = "Serving API key for --grpc or --http (env PEFT_API_KEY)", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("PEFT_API_KEY") };
        var prefix = new Option<string>("--adapter-prefix") { Description = "Adapter ids are PREFIX + 4-digit rank (lora-0000 ...); with --grpc or --http", DefaultValueFactory = _ => "lora-" };
        var kernel = new Option<LoraKernel>("--kernel") { Description = "In-process LoRA kernel", DefaultValueFactory = _ => LoraKernel.Segment };
        var hostBudget = new Option<int>("--host-budget-mb") { Description = "In-process registry host budget", DefaultValueFactory = _ => 2048 };
        var name = new Option<string>("--name") { Description = "File name stem of the results", DefaultValueFactory = _ => "load" };
        var command = new Command("load", "Open-loop load: Poisson arrivals, Zipf adapter popularity; base, single and one-adapter-at-a-time baselines in the same run")
        {
            rate, rates, alpha, adapters, duration, requests, promptLength, outputLength, scenarios, drain, sloTtft, sloTpot, sloE2e, grpc, http, vocab, apiKey, prefix, kernel, hostBudget, name,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            common.Apply(parse);
            var settings = new LoadSettings
            {
                Rates = parse.GetValue(rates) is { } sweep ? ListOption.Doubles(sweep) : [parse.GetValue(rate)],
                Adapters = parse.GetValue(adapters),
                Alpha = parse.GetValue(alpha),
                PromptLength = parse.GetValue(promptLength)!,
                OutputLength = parse.GetValue(outputLength)!,
                DurationSeconds = parse.GetValue(duration),
                MaxRequests = parse.GetValue(requests),
                DrainSeconds = parse.GetValue(drain),
                Scenarios = ListOption.Split(parse.GetValue(scenarios)!),
                Slo = new SloSpec(parse.GetValue(sloTtft), parse.GetValue(sloTpot), parse.GetValue(sloE2e)),
                Target = parse.GetValue(grpc) is { } address ? $"gRPC {address}"
                    : parse.GetValue(http) is { } httpTarget ? $"HTTP (OpenAI API, SSE) {httpTarget}"
                    : $"in-process engine ({parse.GetValue(kernel).ToString().ToLowerInvariant()} kernel)",
                AdapterPrefix = parse.GetValue(prefix)!,
                Seed = parse.GetValue(common.Seed),
            };
            if (settings.Workload(settings.Rates[0], 32000).Validate() is { } problem) throw new ArgumentException(problem);
            string outDirectory = parse.GetValue(common.Out)!;
            IReadOnlyList<ScenarioRun> runs;
            if (parse.GetValue(grpc) is not null && parse.GetValue(http) is not null) throw new ArgumentException("--grpc and --http name one target each; give one");
            if (parse.GetValue(http) is { } httpAddress)
            {
                var uri = new Uri(httpAddress);
                runs = await new LoadExperiment(settings, parse.GetValue(vocab), async () => await OpenAiHttpTarget.ConnectAsync(uri, parse.GetValue(apiKey), cancellationToken), log)
                    .RunAsync(cancellationToken);
            }
            else if (parse.GetValue(grpc) is { } grpcAddress)
            {
                var uri = new Uri(grpcAddress);
                runs = await new LoadExperiment(settings, parse.GetValue(vocab), () => Task.FromResult<ITarget>(new GrpcTarget(uri, parse.GetValue(apiKey))), log).RunAsync(cancellationToken);
            }
            else
            {
                runs = await InProcessAsync(settings, new BenchCache(parse.GetValue(common.Cache)!), parse.GetValue(kernel), (long)parse.GetValue(hostBudget) << 20, log, cancellationToken);
            }
            string stem = parse.GetValue(name)!;
            var plots = LoadPlots.Draw(outDirectory, stem, runs);
            var report = new LoadReport(MachineInfo.Current("CPU", args), settings, [.. runs.Select(r => r.Report)], plots);
            CommonOptions.Save(outDirectory, stem, report, LoadMarkdown.Render(report), log);
            return 0;
        });
        return command;
    }

    private static async Task<IReadOnlyList<ScenarioRun>> InProcessAsync(LoadSettings settings, BenchCache cache, LoraKernel kernel, long hostBudget, TextWriter log,
        CancellationToken cancellationToken)
    {
        var shape = ModelShape.Bench;
        using var model = BenchModels.Synthetic(cache, shape, settings.Seed, log);
        var fileDtype = settings.Adapters > 64 ? torch.ScalarType.BFloat16 : torch.ScalarType.Float32;
        using var adapters = await AdapterSet.CreateAsync(cache, model, shape, settings.Adapters, 16, fileDtype, hostBudget, log);
        if (settings.AdapterPrefix != "lora-") throw new ArgumentException("in-process runs register adapters as lora-NNNN; --adapter-prefix is for --grpc and --http");
        int maxPrompt = LengthDistribution.Parse(settings.PromptLength).Max;
        Task<ITarget> NewTarget() =>
            Task.FromResult<ITarget>(new InProcessTarget(BenchEngine.Start(model, adapters.Registry, kernel, 32, 32 * maxPrompt), adapters.Registry, ownsEngine: true));
        return await new LoadExperiment(settings, model.Config.VocabSize, NewTarget, log).RunAsync(cancellationToken);
    }
}
