using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Peft.Server.Hosting;

/// <summary>grpc.health.v1 reports SERVING only once the model is loaded and warmed up, and NOT_SERVING again as
/// soon as shutdown begins (so load balancers stop sending before the drain) or the engine stops after a fault.</summary>
internal sealed class ModelReadyHealthCheck(ModelHost host) : IHealthCheck
{
    /// <summary>The grpc.health.v1 service name a liveness probe asks: SERVING whenever the process answers, also
    /// while the model loads or the server drains (a liveness probe on "" would restart a loading server).</summary>
    public const string LivenessService = "liveness";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(host.State == ServingState.Ready
            ? HealthCheckResult.Healthy("ready")
            : HealthCheckResult.Unhealthy(host.Reason));
}
