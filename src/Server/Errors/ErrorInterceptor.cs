using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Peft.Server.Errors;

/// <summary>
/// The outermost interceptor of every service: turns runtime exceptions into precise statuses (classified by
/// <see cref="RuntimeErrors"/>, mapped by <see cref="GrpcErrorMapping"/>), and anything unexpected into INTERNAL with
/// a trace id to find the logged exception by, never its message or stack. Every detail leaves with the server's
/// directories named, not shown (<see cref="RootNames"/>).
/// </summary>
internal sealed class ErrorInterceptor(ILogger<ErrorInterceptor> logger, RootNames roots) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e)
        {
            throw Translate(e, context);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception e)
        {
            throw Translate(e, context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception e)
        {
            throw Translate(e, context);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (Exception e)
        {
            throw Translate(e, context);
        }
    }

    private RpcException Translate(Exception error, ServerCallContext context)
    {
        if (error is RpcException rpc)
            return new RpcException(roots.Redact(rpc.Status), rpc.Trailers);
        bool aborted = context.CancellationToken.IsCancellationRequested;
        if (RuntimeErrors.Classify(error, aborted, aborted && context.Deadline <= DateTime.UtcNow) is { } known)
            return new RpcException(roots.Redact(GrpcErrorMapping.ToRpc(known).Status));
        string trace = Activity.Current?.TraceId.ToString() ?? context.GetHttpContext().TraceIdentifier;
        ServerLog.UnexpectedError(logger, error, context.Method, trace);
        return new RpcException(new Grpc.Core.Status(StatusCode.Internal, $"internal server error (trace {trace}); the server log has the details"));
    }
}
