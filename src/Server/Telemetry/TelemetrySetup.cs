using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Peft.Runtime.Engine;
using Peft.Server.Options;
using Peft.Server.Security;

namespace Peft.Server.Telemetry;

/// <summary>
/// OpenTelemetry wiring. Traces: ASP.NET Core's span per call plus the server's per-request spans on the engine's
/// ActivitySource (<see cref="GenerationTrace"/>). Metrics: the engine's <c>Peft.Runtime</c> meter (requests,
/// tokens per adapter, time to first token, time per output token, queue depth, batch size, KV use, adapter
/// loads, evictions and hits) and ASP.NET Core's. Exported to Prometheus (<c>/metrics</c>, see
/// Server:Metrics) and, when an OTLP endpoint is configured, over OTLP. The same scrape carries the vLLM-named
/// gauges adapter-aware routers read (<see cref="RouterMetrics"/>).
/// </summary>
internal static class TelemetrySetup
{
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static IServiceCollection AddPeftTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        string? otlp = !string.IsNullOrWhiteSpace(options.OtlpEndpoint) ? options.OtlpEndpoint : Environment.GetEnvironmentVariable(OtlpEndpointVariable);
        bool exportOtlp = !string.IsNullOrWhiteSpace(otlp);
        Uri? endpoint = exportOtlp && Uri.TryCreate(otlp, UriKind.Absolute, out var uri) ? uri : null;

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(options.ServiceName))
            .WithTracing(tracing =>
            {
                tracing.AddSource(EngineMetrics.MeterName).AddAspNetCoreInstrumentation();
                if (exportOtlp) tracing.AddOtlpExporter(o => o.Endpoint = endpoint ?? o.Endpoint);
            })
            .WithMetrics(metrics =>
            {
                // System.Runtime: the process's working set and the managed heap, next to the engine's peft.memory.
                metrics.AddMeter(EngineMetrics.MeterName, "System.Runtime").AddAspNetCoreInstrumentation().AddPrometheusExporter();
                if (exportOtlp) metrics.AddOtlpExporter(o => o.Endpoint = endpoint ?? o.Endpoint);
            });
        return services;
    }

    /// <summary>Serves <c>/metrics</c> on the endpoint Server:Metrics names, and nowhere else.</summary>
    public static WebApplication UsePeftMetrics(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<ServerOptions>>().Value;
        if (options.Metrics == MetricsEndpoint.Off) return app;
        var roles = app.Services.GetRequiredService<EndpointRoles>();
        var role = options.Metrics == MetricsEndpoint.Admin ? EndpointRole.Admin : EndpointRole.Metrics;
        bool IsScrape(HttpContext context) => context.Request.Path == "/metrics" && roles.RoleOf(context) == role;
        app.UseMiddleware<RouterMetricsMiddleware>((Func<HttpContext, bool>)IsScrape);
        app.UseOpenTelemetryPrometheusScrapingEndpoint(IsScrape);
        return app;
    }
}
