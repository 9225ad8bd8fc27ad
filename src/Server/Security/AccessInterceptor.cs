using Grpc.Core;
using Grpc.Core.Interceptors;
using Peft.Server.Errors;

namespace Peft.Server.Security;

/// <summary>
/// Decides whether a gRPC call may run, before any service code, by <see cref="AccessPolicy"/>; the key is read from
/// the <c>x-api-key</c> metadata header. Health and reflection need no key.
/// </summary>
internal sealed class AccessInterceptor(EndpointRoles endpoints, AccessPolicy policy, ILogger<AccessInterceptor> logger) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(request, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(requestStream, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(request, responseStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Authorize(ServerCallContext context)
    {
        var http = context.GetHttpContext();
        var role = endpoints.RoleOf(http);
        if (role is not (EndpointRole.Serving or EndpointRole.Admin))
            throw Refuse(context, ApiErrors.Denied("this endpoint serves no gRPC API"));
        if (http.GetEndpoint()?.Metadata.GetMetadata<ApiSurface>() is not { } surface) return;

        string? key = context.RequestHeaders.GetValue(ApiKey.Header);
        if (policy.Check(ServiceName(context.Method), role, surface.Role, http.Connection.RemoteIpAddress, key, $"'{ApiKey.Header}'") is { } refusal)
            throw Refuse(context, refusal);
    }

    private RpcException Refuse(ServerCallContext context, ApiException refusal)
    {
        var error = GrpcErrorMapping.ToRpc(refusal);
        ServerLog.Refused(logger, context.Method, context.Peer, error.StatusCode.ToString(), refusal.Message);
        return error;
    }

    /// <summary>"/peft.v1.Adapters/LoadAdapter" → "peft.v1.Adapters".</summary>
    private static string ServiceName(string method) => method.Split('/', StringSplitOptions.RemoveEmptyEntries) is [var service, ..] ? service : method;
}
