using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Peft.Server.Decoding;
using Peft.Server.Errors;
using Peft.Server.Hosting;
using Peft.Server.OpenAi;
using Peft.Server.Options;
using Peft.Server.Security;
using Peft.Server.Services;
using Peft.Server.Telemetry;

namespace Peft.Server;

/// <summary>Builds the host: add services, map services. Tests start the same host on loopback.</summary>
public static class ServerApp
{
    /// <param name="services">Replaces services after the server's own are added (tests inject a clock or a
    /// <see cref="Runtime.Storage.FileWrites"/> that simulates a full disk).</param>
    public static WebApplication Build(string[] args, Action<IServiceCollection>? services = null) => Build(CreateBuilder(args), services);

    /// <summary>The host builder with every configuration source in place, before any setting is read.</summary>
    private static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddPeftSources(args);
        // A failed start is reported by RunAsync, one line per problem; the host's own report is a stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        return builder;
    }

    private static WebApplication Build(WebApplicationBuilder builder, Action<IServiceCollection>? services)
    {
        builder.Services.AddPeftOptions(builder.Configuration);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(Runtime.Storage.FileWrites.Direct);
        builder.Services.AddSingleton<EndpointRoles>();
        builder.Services.AddSingleton<AccessPolicy>();
        builder.Services.AddSingleton<ModelHost>();
        builder.Services.AddHostedService<ModelLoader>();
        builder.Services.AddHostedService<StoreFollower>();
        builder.Services.AddSingleton<RootNames>();
        builder.Services.AddSingleton<ErrorInterceptor>();
        builder.Services.AddGrpc(grpc => grpc.Interceptors.Add<ErrorInterceptor>());
        builder.Services.AddCheckedGrpcDecoding();
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks(health =>
        {
            health.UseHealthChecksCache = false;
            // "" is readiness (every check); "liveness" only the process check, SERVING whenever the process answers.
            health.Services.Map(ModelReadyHealthCheck.LivenessService, result => result.Tags.Contains(ModelReadyHealthCheck.LivenessService));
        })
            .AddCheck<ModelReadyHealthCheck>("model")
            .AddCheck("process", () => HealthCheckResult.Healthy("answering"), tags: [ModelReadyHealthCheck.LivenessService]);
        builder.Services.AddPeftTelemetry(builder.Configuration);
        builder.Services.AddOpenAiApi();
        builder.WebHost.ConfigureKestrel(KestrelEndpoints.Configure);
        services?.Invoke(builder.Services);

        var app = builder.Build();
        app.UsePeftMetrics();
        app.UseMiddleware<GrpcAccessMiddleware>();
        app.MapServing<GenerationService>();
        app.MapAdmin<AdaptersService>();
        app.MapAdmin<TrainingService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        app.MapOpenAiApi();
        return app;
    }

    /// <summary>
    /// Builds and runs the server until it is stopped. <c>--help</c> prints the settings and exits with 0. A
    /// configuration that is not valid (an unknown option or key, a bad value, a port already in use) prints one line
    /// per problem and exits with 2; a model that fails to load exits with 1. Nothing here ends with a stack trace.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        output ??= Console.Out;
        error ??= Console.Error;
        if (CommandLine.WantsHelp(args))
        {
            CommandLine.WriteHelp(output);
            return 0;
        }
        var problems = CommandLine.Problems(args).ToList();
        if (problems.Count > 0) return await Refuse(error, problems);
        try
        {
            var builder = CreateBuilder(args);
            problems = [.. ConfigurationKeys.Unknown(builder.Configuration)];
            if (problems.Count > 0) return await Refuse(error, problems);
            await using var app = Build(builder, null);
            await app.StartAsync();
            await app.WaitForShutdownAsync();
            return Environment.ExitCode;
        }
        catch (OptionsValidationException e)
        {
            return await Refuse(error, e.Failures);
        }
        catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
        {
            return await Refuse(error, [$"{e.Message.TrimEnd('.')} (Server:ServingPort, Server:AdminPort and Server:MetricsPort must be free ports, or 0 for any)"]);
        }
#pragma warning disable CA1031 // Whatever else stops the start is said in one line, never as a stack trace.
        catch (Exception e)
#pragma warning restore CA1031
        {
            await error.WriteLineAsync($"peft-server: could not start: {e.Message}");
            return 1;
        }
    }

    private static async Task<int> Refuse(TextWriter error, IEnumerable<string> problems)
    {
        await error.WriteLineAsync("peft-server: the configuration is not valid:");
        foreach (string problem in problems) await error.WriteLineAsync($"  - {problem}");
        return 2;
    }
}
