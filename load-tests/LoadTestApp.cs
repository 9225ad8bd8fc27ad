using System.CommandLine;
using Peft.LoadTests.Commands;

namespace Peft.LoadTests;

/// <summary>Entry point: <c>forward</c>, <c>lora</c>, <c>load</c>, <c>train-serve</c>, <c>int8-kernels</c>, <c>route-sim</c> (see docs/benchmarks.md) and <c>chaos</c> (docs/reliability.md). Progress goes to stderr,
/// results to files under --out.</summary>
internal static class LoadTestApp
{
    public static async Task<int> RunAsync(string[] args)
    {
        var log = Console.Error;
        var common = new CommonOptions();
        var root = new RootCommand("Benchmarks and the open-loop load generator for the PEFT inference server.");
        common.AddTo(root);
        root.Subcommands.Add(ForwardCommand.Create(common, args, log));
        root.Subcommands.Add(LoraCommand.Create(common, args, log));
        root.Subcommands.Add(LoadCommand.Create(common, args, log));
        root.Subcommands.Add(TrainServeCommand.Create(common, args, log));
        root.Subcommands.Add(ProfileCommand.Create(common, args, log));
        root.Subcommands.Add(Int8KernelsCommand.Create(common, args, log));
        root.Subcommands.Add(FloatKernelsCommand.Create(common, args, log));
        root.Subcommands.Add(RouteSimCommand.Create(common, log));
        root.Subcommands.Add(ChaosCommand.Create(common, log));
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors) await log.WriteLineAsync(e.Message);
            return 2;
        }
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is ArgumentException or FormatException or IOException)
        {
            await log.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
    }
}
