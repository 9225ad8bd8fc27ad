using System.CommandLine;
using Grpc.Core;
using Peft.Client;

namespace Peft.Cli;

/// <summary>The command tree. Each command lives in its own file under Commands/ and receives the shared options.</summary>
internal static class CliApp
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var global = new GlobalOptions();
        var root = new RootCommand("Client for the PEFT multi-adapter inference server.");
        global.AddTo(root);
        root.Subcommands.Add(Commands.HealthCommand.Create(global, output));
        root.Subcommands.Add(Commands.GenerateCommand.Create(global, output, error));
        root.Subcommands.Add(Commands.AdaptersCommand.Create(global, output));
        root.Subcommands.Add(Commands.TrainCommand.Create(global, output, error));
        root.Subcommands.Add(Commands.JobsCommand.Create(global, output, error));

        var parse = root.Parse(args);
        var config = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors) await error.WriteLineAsync(e.Message);
            return ExitCodes.Usage;
        }
        try
        {
            return await parse.InvokeAsync(config, cancellationToken);
        }
        catch (UsageException e)
        {
            await error.WriteLineAsync($"error: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (RpcException e)
        {
            await error.WriteLineAsync($"error: {e.StatusCode}: {e.Status.Detail}");
            return ExitCodes.From(e.StatusCode);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync("interrupted");
            return ExitCodes.Interrupted;
        }
        catch (Exception e) when (e is IOException or UriFormatException or ArgumentException or InvalidOperationException)
        {
            await error.WriteLineAsync($"error: {e.Message}");
            return ExitCodes.Failure;
        }
    }
}

/// <summary>Options every command takes; environment variables supply keys so they stay out of shell history.</summary>
internal sealed class GlobalOptions
{
    public Option<string> Address { get; } = new("--address")
    {
        Description = "Serving endpoint (env PEFT_ADDRESS)",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("PEFT_ADDRESS") ?? "http://127.0.0.1:50051",
    };

    public Option<string?> AdminAddress { get; } = new("--admin-address")
    {
        Description = "Admin endpoint (env PEFT_ADMIN_ADDRESS, default 127.0.0.1:50052)",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("PEFT_ADMIN_ADDRESS") ?? "http://127.0.0.1:50052",
    };

    // Keys have no default value: --help prints defaults, and a secret must never reach a terminal or a log.
    // The environment is read when the client is made instead.
    public Option<string?> ApiKey { get; } = new("--api-key")
    {
        Description = "Serving API key (default: env PEFT_API_KEY)",
        Recursive = true,
    };

    public Option<string?> AdminKey { get; } = new("--admin-key")
    {
        Description = "Admin API key (default: env PEFT_ADMIN_KEY)",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json") { Description = "Machine-readable output", Recursive = true };

    public void AddTo(RootCommand root)
    {
        root.Options.Add(Address);
        root.Options.Add(AdminAddress);
        root.Options.Add(ApiKey);
        root.Options.Add(AdminKey);
        root.Options.Add(Json);
    }

    public PeftClient CreateClient(ParseResult parse) => new(new PeftClientOptions
    {
        Address = ParseAddress("--address", parse.GetValue(Address)!),
        AdminAddress = parse.GetValue(AdminAddress) is { Length: > 0 } admin ? ParseAddress("--admin-address", admin) : null,
        ApiKey = parse.GetValue(ApiKey) ?? Environment.GetEnvironmentVariable("PEFT_API_KEY"),
        AdminApiKey = parse.GetValue(AdminKey) ?? Environment.GetEnvironmentVariable("PEFT_ADMIN_KEY"),
    });

    private static Uri ParseAddress(string option, string text)
    {
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
            return uri;
        throw new UsageException($"{option} '{text}' is not an http:// or https:// address");
    }
}

/// <summary>A command line that parsed but makes no sense; exits with <see cref="ExitCodes.Usage"/>.</summary>
internal sealed class UsageException(string message) : Exception(message);
