namespace Peft.Server.Security;

/// <summary>Maps a gRPC service onto its endpoint: adding a service (e.g. Training) is one line in ServerApp.</summary>
public static class ApiSurfaceEndpoints
{
    /// <summary>A serving-endpoint service (optional Server:ApiKey).</summary>
    public static GrpcServiceEndpointConventionBuilder MapServing<TService>(this IEndpointRouteBuilder endpoints) where TService : class =>
        endpoints.MapGrpcService<TService>().WithMetadata(new ApiSurface(EndpointRole.Serving));

    /// <summary>An admin-endpoint service (Server:AdminApiKey required).</summary>
    public static GrpcServiceEndpointConventionBuilder MapAdmin<TService>(this IEndpointRouteBuilder endpoints) where TService : class =>
        endpoints.MapGrpcService<TService>().WithMetadata(new ApiSurface(EndpointRole.Admin));
}
