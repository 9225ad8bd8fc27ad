using Peft.Cli;

namespace Peft.Clients.Tests;

/// <summary>Runs the real <c>peft</c> command tree in-process and captures what it prints.</summary>
internal static class CliHarness
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = await CliApp.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
