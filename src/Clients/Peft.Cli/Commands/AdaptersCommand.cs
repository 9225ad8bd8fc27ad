using System.CommandLine;
using Peft.Protos.V1;

namespace Peft.Cli.Commands;

/// <summary><c>peft adapters list|show|load|upload|unload</c>: the admin API (uses --admin-address and --admin-key).</summary>
internal static class AdaptersCommand
{
    public static Command Create(GlobalOptions global, TextWriter output)
    {
        var command = new Command("adapters", "Manage adapters on the server (admin endpoint, admin key).");
        command.Subcommands.Add(List(global, output));
        command.Subcommands.Add(Show(global, output));
        command.Subcommands.Add(Load(global, output));
        command.Subcommands.Add(Upload(global, output));
        command.Subcommands.Add(Unload(global, output));
        return command;
    }

    private static Command List(GlobalOptions global, TextWriter output)
    {
        var command = new Command("list", "List registered adapters.");
        command.SetAction(async (parse, ct) =>
        {
            using var client = global.CreateClient(parse);
            var adapters = await client.ListAdaptersAsync(ct);
            if (parse.GetValue(global.Json))
            {
                var response = new ListAdaptersResponse();
                response.Adapters.Add(adapters);
                await output.WriteLineAsync(JsonOutput.Format(response));
                return ExitCodes.Ok;
            }
            await output.WriteLineAsync($"{"ID",-24} {"TYPE",-14} {"RANK/VT",7} {"TIER",-7} {"IN FLIGHT",9}  VERSION");
            foreach (var a in adapters)
                await output.WriteLineAsync($"{a.AdapterId,-24} {a.PeftType,-14} {(a.Rank > 0 ? a.Rank : a.NumVirtualTokens),7} {Tier(a.Tier),-7} {a.RequestsInFlight,9}  {GenerateCommand.Short(a.Version)}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Show(GlobalOptions global, TextWriter output)
    {
        var id = new Argument<string>("adapter-id") { Description = "The adapter's id" };
        var command = new Command("show", "Show one adapter: type, rank, targets, size, tier, last use, requests in flight.") { id };
        command.SetAction(async (parse, ct) =>
        {
            using var client = global.CreateClient(parse);
            var info = await client.GetAdapterAsync(parse.GetValue(id)!, ct);
            await output.WriteLineAsync(parse.GetValue(global.Json) ? JsonOutput.Format(info) : Describe(info));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Load(GlobalOptions global, TextWriter output)
    {
        var id = new Argument<string>("adapter-id") { Description = "The id to register it under" };
        var path = new Argument<string>("path") { Description = "Adapter directory on the server, under one of its adapter roots" };
        var replace = new Option<bool>("--replace") { Description = "Atomically replace an adapter registered under this id" };
        var command = new Command("load", "Register an adapter from a directory on the server.") { id, path, replace };
        command.SetAction(async (parse, ct) =>
        {
            using var client = global.CreateClient(parse);
            var info = await client.LoadAdapterAsync(parse.GetValue(id)!, parse.GetValue(path)!, parse.GetValue(replace), ct);
            await output.WriteLineAsync(parse.GetValue(global.Json) ? JsonOutput.Format(info) : $"loaded {Summary(info)}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Upload(GlobalOptions global, TextWriter output)
    {
        var id = new Argument<string>("adapter-id") { Description = "The id to register it under" };
        var directory = new Argument<string>("directory") { Description = "Local directory with adapter_config.json and adapter_model.safetensors" };
        var replace = new Option<bool>("--replace") { Description = "Atomically replace an adapter registered under this id" };
        var command = new Command("upload", "Upload a local adapter directory to the server and register it.") { id, directory, replace };
        command.SetAction(async (parse, ct) =>
        {
            string local = parse.GetValue(directory)!;
            if (!Directory.Exists(local)) throw new UsageException($"{local} is not a directory");
            using var client = global.CreateClient(parse);
            var info = await client.UploadAdapterAsync(parse.GetValue(id)!, local, parse.GetValue(replace), ct);
            await output.WriteLineAsync(parse.GetValue(global.Json) ? JsonOutput.Format(info) : $"uploaded {Summary(info)}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Unload(GlobalOptions global, TextWriter output)
    {
        var id = new Argument<string>("adapter-id") { Description = "The adapter's id" };
        var command = new Command("unload", "Unregister an adapter; requests running on it finish.") { id };
        command.SetAction(async (parse, ct) =>
        {
            using var client = global.CreateClient(parse);
            string adapterId = parse.GetValue(id)!;
            var response = await client.UnloadAdapterAsync(adapterId, ct);
            await output.WriteLineAsync(parse.GetValue(global.Json)
                ? JsonOutput.Format(response)
                : $"unloaded {adapterId} ({response.RequestsInFlight} requests still finishing on it)");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Summary(AdapterInfo info) => $"{info.AdapterId} ({info.PeftType}, version {GenerateCommand.Short(info.Version)})";

    private static string Describe(AdapterInfo a) => string.Join(Environment.NewLine,
        $"id:                 {a.AdapterId}",
        $"type:               {a.PeftType}",
        $"version:            {a.Version}",
        $"rank:               {a.Rank}",
        $"target modules:     {string.Join(", ", a.TargetModules)}",
        $"virtual tokens:     {a.NumVirtualTokens}",
        $"size:               {a.SizeBytes} bytes",
        $"tier:               {Tier(a.Tier)}",
        $"last used:          {a.LastUsed?.ToDateTimeOffset():u}",
        $"registered:         {a.RegisteredAt?.ToDateTimeOffset():u}",
        $"requests in flight: {a.RequestsInFlight}",
        $"path:               {a.Path}");

    private static string Tier(AdapterTier tier) => tier switch
    {
        AdapterTier.Disk => "disk",
        AdapterTier.Host => "host",
        AdapterTier.Device => "device",
        _ => "?",
    };
}
