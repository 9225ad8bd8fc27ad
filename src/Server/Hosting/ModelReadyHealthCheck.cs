using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Peft.Server.Hosting;

/// <summary>grpc.health.v1 reports SERVING only once the model is loaded and warmed up, and NOT_SERVING again as
/// soon as shutdown begins (so load balancers stop sending before the drain) or the engine stops after a fault.</summary>
internal sealed class ModelReadyHealthCheck(ModelHost host) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(host.State == ServingState.Ready
            ? HealthCheckResult.Healthy("ready")
            : HealthCheckResult.Unhealthy(host.Reason));
}
