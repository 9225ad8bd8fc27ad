using System.CommandLine;
using System.Text.Json;
using Grpc.Health.V1;

namespace Peft.Cli.Commands;

/// <summary><c>peft health</c>: exits 0 when the server reports SERVING.</summary>
internal static class HealthCommand
{
    public static Command Create(GlobalOptions global, TextWriter output)
    {
        var command = new Command("health", "Ask the server whether it is ready to serve.");
        command.SetAction(async (parse, ct) =>
        {
            using var client = global.CreateClient(parse);
            var status = await client.CheckHealthAsync(ct);
            string text = status.ToString().ToUpperInvariant();
            await output.WriteLineAsync(parse.GetValue(global.Json) ? JsonSerializer.Serialize(new { status = text }) : text);
            return status == HealthCheckResponse.Types.ServingStatus.Serving ? ExitCodes.Ok : ExitCodes.Unavailable;
        });
        return command;
    }
}
