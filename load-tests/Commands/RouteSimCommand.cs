using System.CommandLine;
using Peft.LoadTests.Routing;

namespace Peft.LoadTests.Commands;

/// <summary>
/// <c>route-sim</c>: replicas behind a router, random vs least-loaded vs adapter-affinity routing on the metrics the
/// server exports for routers, swept over offered rates. Simulated (seconds of wall time), so it runs anywhere.
/// </summary>
internal static class RouteSimCommand
{
    public static Command Create(CommonOptions common, TextWriter log)
    {
        var defaults = new RoutingSettings();
        var replicas = new Option<int>("--replicas") { Description = "Replicas behind the router", DefaultValueFactory = _ => defaults.Replicas };
        var adapters = new Option<int>("--adapters") { Description = "Distinct adapters", DefaultValueFactory = _ => defaults.Adapters };
        var alpha = new Option<double>("--alpha") { Description = "Zipf exponent of adapter popularity", DefaultValueFactory = _ => defaults.Alpha };
        var rates = new Option<string>("--rates") { Description = "Offered rates in requests/s, comma-separated", DefaultValueFactory = _ => "2,3,4,5,6" };
        var requests = new Option<int>("--requests") { Description = "Requests per run", DefaultValueFactory = _ => defaults.Requests };
        var slots = new Option<int>("--slots") { Description = "LoRA slots per replica", DefaultValueFactory = _ => defaults.Slots };
        var name = new Option<string>("--name") { Description = "File name stem of the results", DefaultValueFactory = _ => "routing" };
        var command = new Command("route-sim", "Simulated replicas behind random, least-loaded and adapter-affinity routers") { replicas, adapters, alpha, rates, requests, slots, name };
        command.SetAction(parse =>
        {
            var results = new List<RoutingResult>();
            var settings = defaults with
            {
                Replicas = parse.GetValue(replicas), Adapters = parse.GetValue(adapters), Alpha = parse.GetValue(alpha),
                Requests = parse.GetValue(requests), Slots = parse.GetValue(slots), Seed = parse.GetValue(common.Seed),
            };
            foreach (double rate in ListOption.Doubles(parse.GetValue(rates)!))
            {
                foreach (var policy in RoutingPolicy.All(settings))
                {
                    var result = RoutingSimulation.Run(settings with { Rate = rate }, policy);
                    log.WriteLine($"{rate} req/s {policy.Name}: hit rate {result.SlotHitRate:F3}, TTFT p50 {result.TtftP50Ms:F0} ms, p90 {result.TtftP90Ms:F0} ms");
                    results.Add(result);
                }
            }
            var report = new RoutingReport(settings, results);
            string directory = parse.GetValue(common.Out)!;
            CommonOptions.Save(directory, parse.GetValue(name)!, report, report.Markdown(), log);
            report.Plot(directory);
            return 0;
        });
        return command;
    }
}
