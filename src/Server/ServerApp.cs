using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Peft.Server;

/// <summary>Builds the host: add services, map services. Tests start the same host on loopback.</summary>
public static class ServerApp
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddGrpc();
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks(o => o.UseHealthChecksCache = false);
        builder.Services.AddHealthChecks().AddCheck("host", () => HealthCheckResult.Healthy());

        var app = builder.Build();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        return app;
    }
}
