using Grpc.Core;

namespace Peft.Server.Errors;

/// <summary>Shorthands for the RpcExceptions services throw for bad input; the message names the problem.</summary>
internal static class RpcErrors
{
    public static RpcException Invalid(string message) => new(new Grpc.Core.Status(StatusCode.InvalidArgument, message));

    public static RpcException NotFound(string message) => new(new Grpc.Core.Status(StatusCode.NotFound, message));

    public static RpcException Exists(string message) => new(new Grpc.Core.Status(StatusCode.AlreadyExists, message));

    public static RpcException Precondition(string message) => new(new Grpc.Core.Status(StatusCode.FailedPrecondition, message));

    public static RpcException Exhausted(string message) => new(new Grpc.Core.Status(StatusCode.ResourceExhausted, message));

    public static RpcException Unavailable(string message) => new(new Grpc.Core.Status(StatusCode.Unavailable, message));

    public static RpcException Unauthenticated(string message) => new(new Grpc.Core.Status(StatusCode.Unauthenticated, message));

    public static RpcException Denied(string message) => new(new Grpc.Core.Status(StatusCode.PermissionDenied, message));
}
