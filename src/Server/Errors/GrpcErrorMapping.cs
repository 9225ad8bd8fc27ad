using Grpc.Core;

namespace Peft.Server.Errors;

/// <summary>The gRPC edge's translation of <see cref="ApiErrorKind"/>: one status code per kind, the message as the detail.</summary>
internal static class GrpcErrorMapping
{
    public static StatusCode Code(ApiErrorKind kind) => kind switch
    {
        ApiErrorKind.InvalidArgument => StatusCode.InvalidArgument,
        ApiErrorKind.NotFound => StatusCode.NotFound,
        ApiErrorKind.AlreadyExists => StatusCode.AlreadyExists,
        ApiErrorKind.FailedPrecondition => StatusCode.FailedPrecondition,
        ApiErrorKind.ResourceExhausted => StatusCode.ResourceExhausted,
        ApiErrorKind.Unavailable => StatusCode.Unavailable,
        ApiErrorKind.Unauthenticated => StatusCode.Unauthenticated,
        ApiErrorKind.WrongKey or ApiErrorKind.PermissionDenied => StatusCode.PermissionDenied,
        ApiErrorKind.DeadlineExceeded => StatusCode.DeadlineExceeded,
        ApiErrorKind.Cancelled => StatusCode.Cancelled,
        _ => StatusCode.Internal,
    };

    public static RpcException ToRpc(ApiException error) => new(new Grpc.Core.Status(Code(error.Kind), error.Message));
}
