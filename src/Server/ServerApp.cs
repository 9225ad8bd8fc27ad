using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
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
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddPeftSources(args);

        builder.Services.AddPeftOptions(builder.Configuration);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<EndpointRoles>();
        builder.Services.AddSingleton<AccessPolicy>();
        builder.Services.AddSingleton<ModelHost>();
        builder.Services.AddHostedService<ModelLoader>();
        builder.Services.AddSingleton<ErrorInterceptor>();
        builder.Services.AddSingleton<AccessInterceptor>();
        builder.Services.AddGrpc(grpc =>
        {
            grpc.Interceptors.Add<ErrorInterceptor>();
            grpc.Interceptors.Add<AccessInterceptor>();
        });
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

        var app = builder.Build();
        app.UsePeftMetrics();
        app.MapServing<GenerationService>();
        app.MapAdmin<AdaptersService>();
        app.MapAdmin<TrainingService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        app.MapOpenAiApi();
        return app;
    }

    /// <summary>Builds and runs the server until it is stopped. A configuration error prints what is wrong and
    /// exits with 2; a model that fails to load exits with 1.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            await using var app = Build(args);
            await app.RunAsync();
            return Environment.ExitCode;
        }
        catch (OptionsValidationException e)
        {
            await Console.Error.WriteLineAsync("peft-server: the configuration is not valid:");
            foreach (string failure in e.Failures) await Console.Error.WriteLineAsync($"  - {failure}");
            return 2;
        }
    }
}
