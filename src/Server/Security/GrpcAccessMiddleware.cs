using Grpc.AspNetCore.Server;
using Grpc.Core;
using Peft.Server.Errors;

namespace Peft.Server.Security;

/// <summary>
/// Decides whether a gRPC call may run, by <see cref="AccessPolicy"/>, before the gRPC pipeline reads a byte of its
/// message: a caller without the key learns that and nothing else (not even whether its message decodes). The key
/// is read from the <c>x-api-key</c> header; health and reflection need none. A refusal is a trailers-only gRPC
/// response. Runs after routing, so the endpoint (and its <see cref="ApiSurface"/>) is known.
/// </summary>
internal sealed class GrpcAccessMiddleware(RequestDelegate next, EndpointRoles endpoints, AccessPolicy policy, ILogger<GrpcAccessMiddleware> logger)
{
    public Task InvokeAsync(HttpContext http)
    {
        var metadata = http.GetEndpoint()?.Metadata;
        var surface = metadata?.GetMetadata<ApiSurface>();
        if (metadata?.GetMetadata<GrpcMethodMetadata>() is null && surface is null) return next(http);

        if (Refusal(http, surface) is not { } refusal) return next(http);
        var code = GrpcErrorMapping.Code(refusal.Kind);
        ServerLog.Refused(logger, http.Request.Path, http.Connection.RemoteIpAddress?.ToString(), code.ToString(), refusal.Message);
        GrpcTrailersOnly.Write(http.Response, code, refusal.Message);
        return Task.CompletedTask;
    }

    private ApiException? Refusal(HttpContext http, ApiSurface? surface)
    {
        var role = endpoints.RoleOf(http);
        if (role is not (EndpointRole.Serving or EndpointRole.Admin)) return ApiErrors.Denied("this endpoint serves no gRPC API");
        if (surface is null) return null;
        string? key = http.Request.Headers[ApiKey.Header].ToString() is { Length: > 0 } presented ? presented : null;
        return policy.Check(ServiceName(http.Request.Path), role, surface.Role, http.Connection.RemoteIpAddress, key, $"'{ApiKey.Header}'");
    }

    /// <summary>"/peft.v1.Adapters/LoadAdapter" → "peft.v1.Adapters".</summary>
    private static string ServiceName(PathString path) =>
        path.Value?.Split('/', StringSplitOptions.RemoveEmptyEntries) is [var service, ..] ? service : path.ToString();
}
