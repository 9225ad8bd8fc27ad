using System.Net;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;
using Peft.Server.Errors;
using Peft.Server.Options;

namespace Peft.Server.Security;

/// <summary>
/// Decides whether a call may run, before any service code: a service only on its own endpoint (else
/// PERMISSION_DENIED naming the right one), admin calls only from loopback unless allowed, and the endpoint's key:
/// missing gives UNAUTHENTICATED, wrong gives PERMISSION_DENIED. Health and reflection need no key.
/// </summary>
internal sealed class AccessInterceptor(EndpointRoles endpoints, IOptions<ServerOptions> options, ILogger<AccessInterceptor> logger) : Interceptor
{
    private readonly ApiKey? _servingKey = ApiKey.From(options.Value.ApiKey);
    private readonly ApiKey? _adminKey = ApiKey.From(options.Value.AdminApiKey);
    private readonly bool _allowRemoteAdmin = options.Value.AllowRemoteAdmin;

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
        var surface = http.GetEndpoint()?.Metadata.GetMetadata<ApiSurface>();
        if (role is not (EndpointRole.Serving or EndpointRole.Admin))
            throw Refuse(context, RpcErrors.Denied("this endpoint serves no gRPC API"));
        if (surface is null) return;

        string service = ServiceName(context.Method);
        if (surface.Role != role)
            throw Refuse(context, RpcErrors.Denied(surface.Role == EndpointRole.Admin
                ? $"{service} is an admin API: call it on the admin endpoint ({endpoints.Describe(EndpointRole.Admin)}) with the admin key"
                : $"{service} is served on the serving endpoint ({endpoints.Describe(EndpointRole.Serving)}), not the admin endpoint"));

        if (role == EndpointRole.Admin)
        {
            if (!_allowRemoteAdmin && http.Connection.RemoteIpAddress is { } remote && !IPAddress.IsLoopback(remote))
                throw Refuse(context, RpcErrors.Denied("the admin API accepts calls from this machine only (Server:AllowRemoteAdmin is false)"));
            if (_adminKey is null)
                throw Refuse(context, RpcErrors.Denied("the admin API is disabled: the server has no Server:AdminApiKey configured"));
            CheckKey(context, _adminKey, "admin");
        }
        else if (_servingKey is not null)
        {
            CheckKey(context, _servingKey, "serving");
        }
    }

    private void CheckKey(ServerCallContext context, ApiKey key, string which)
    {
        string? presented = context.RequestHeaders.GetValue(ApiKey.Header);
        if (string.IsNullOrEmpty(presented))
            throw Refuse(context, RpcErrors.Unauthenticated($"this {which} API requires an API key in the '{ApiKey.Header}' header"));
        if (!key.Matches(presented))
            throw Refuse(context, RpcErrors.Denied($"the '{ApiKey.Header}' header does not hold the {which} API key"));
    }

    private RpcException Refuse(ServerCallContext context, RpcException error)
    {
        ServerLog.Refused(logger, context.Method, context.Peer, error.StatusCode, error.Status.Detail);
        return error;
    }

    /// <summary>"/peft.v1.Adapters/LoadAdapter" → "peft.v1.Adapters".</summary>
    private static string ServiceName(string method) => method.Split('/', StringSplitOptions.RemoveEmptyEntries) is [var service, ..] ? service : method;
}
