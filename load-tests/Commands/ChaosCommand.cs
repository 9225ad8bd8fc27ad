using System.CommandLine;
using Peft.LoadTests.Chaos;

namespace Peft.LoadTests.Commands;

/// <summary><c>chaos</c>: the reliability suite of docs/reliability.md against the real server as a child process.</summary>
internal static class ChaosCommand
{
    public static Command Create(CommonOptions common, TextWriter log)
    {
        var kills = new Option<int>("--kills") { Description = "kill -9 trials", DefaultValueFactory = _ => 20 };
        var requests = new Option<int>("--requests") { Description = "Requests of the churn soak", DefaultValueFactory = _ => 10_000 };
        var streams = new Option<int>("--streams") { Description = "Concurrent streams of the churn soak", DefaultValueFactory = _ => 16 };
        var interval = new Option<int>("--churn-ms") { Description = "Milliseconds between load/unload/replace calls in the soak", DefaultValueFactory = _ => 100 };
        var work = new Option<string?>("--work") { Description = "Scratch directory (default: a new one under the temp directory)" };
        var keep = new Option<bool>("--keep") { Description = "Keep the scratch directory (stores, jobs) for inspection" };
        var only = new Option<string[]>("--only")
        {
            Description = $"Parts to run ({string.Join(", ", ChaosSettings.AllParts)}); default all",
            AllowMultipleArgumentsPerToken = true,
        };
        var command = new Command("chaos", "Kill -9, disk-full, churn and bad-input trials against the real server; prints one line of figures")
        {
            kills, requests, streams, interval, work, keep, only,
        };
        command.SetAction(async (parse, _) =>
        {
            var parts = parse.GetValue(only) is { Length: > 0 } chosen ? chosen : [.. ChaosSettings.AllParts];
            var unknown = parts.Except(ChaosSettings.AllParts).ToArray();
            if (unknown.Length > 0) throw new ArgumentException($"--only: unknown part(s) {string.Join(", ", unknown)}");
            var settings = new ChaosSettings(parse.GetValue(kills), parse.GetValue(requests), parse.GetValue(streams),
                TimeSpan.FromMilliseconds(parse.GetValue(interval)), parse.GetValue(common.Seed), parse.GetValue(work), parse.GetValue(keep), parts.ToHashSet());
            return await ChaosRun.RunAsync(settings, Console.Out, log);
        });
        return command;
    }
}
