using System.Threading.Channels;
using Grpc.Core;
using Peft.Runtime.Adapters;
using Peft.Runtime.Adapters.Registry;
using Peft.Runtime.Adapters.Storage;
using Peft.Runtime.Engine;
using Peft.Runtime.Storage;
using Peft.Runtime.Training.Jobs;

namespace Peft.Server.Errors;

/// <summary>
/// Maps what the runtime throws to a gRPC status. Every runtime exception that stands for bad input carries a
/// message naming the problem, which becomes the status detail. Anything not listed is a server fault: the caller
/// logs it and answers INTERNAL without its message.
/// </summary>
internal static class ExceptionStatus
{
    /// <summary>The status for <paramref name="error"/>, or null when it is an unexpected server fault.</summary>
    public static Grpc.Core.Status? For(Exception error, ServerCallContext context)
    {
        if (error is ChannelClosedException { InnerException: { } inner }) error = inner;
        return error switch
        {
            RpcException e => e.Status,
            AdapterNotFoundException e => new(StatusCode.NotFound, e.Message),
            AdapterExistsException e => new(StatusCode.AlreadyExists, e.Message),
            AdapterLoadException e => new(StatusCode.InvalidArgument, e.Message),
            AdapterUploadException e => new(StatusCode.InvalidArgument, e.Message),
            AdapterPathException e => new(PathCode(e.Reason), e.Message),
            RequestRejectedException e => new(RejectCode(e.Reason), e.Message),
            TrainingJobException e => new(TrainingCode(e.Error), e.Message),
            StorageFullException e => new(StatusCode.ResourceExhausted, e.Message),
            OperationCanceledException or IOException or InvalidOperationException when context.CancellationToken.IsCancellationRequested =>
                context.Deadline <= DateTime.UtcNow
                    ? new(StatusCode.DeadlineExceeded, "the deadline passed; the request was stopped")
                    : new(StatusCode.Cancelled, "the call was cancelled; the request was stopped"),
            // The engine cancels requests it still holds when it stops (drain timeout passed).
            OperationCanceledException e => new(StatusCode.Unavailable, $"the server is shutting down: {e.Message}"),
            IOException e when DiskFull.Is(e) => new(StatusCode.ResourceExhausted, $"the server's disk is full; nothing was changed, retry once space is freed ({e.Message})"),
            _ => null,
        };
    }

    private static StatusCode PathCode(AdapterPathReason reason) => reason switch
    {
        AdapterPathReason.NotFound => StatusCode.NotFound,
        AdapterPathReason.OutsideRoots or AdapterPathReason.SymlinkEscape => StatusCode.PermissionDenied,
        _ => StatusCode.InvalidArgument,
    };

    private static StatusCode TrainingCode(TrainingJobError error) => error switch
    {
        TrainingJobError.InvalidArgument => StatusCode.InvalidArgument,
        TrainingJobError.NotFound => StatusCode.NotFound,
        TrainingJobError.AlreadyExists => StatusCode.AlreadyExists,
        TrainingJobError.FailedPrecondition => StatusCode.FailedPrecondition,
        TrainingJobError.ResourceExhausted => StatusCode.ResourceExhausted,
        TrainingJobError.Unavailable => StatusCode.Unavailable,
        TrainingJobError.PermissionDenied => StatusCode.PermissionDenied,
        _ => StatusCode.Internal,
    };

    private static StatusCode RejectCode(RejectReason reason) => reason switch
    {
        RejectReason.InvalidArgument => StatusCode.InvalidArgument,
        RejectReason.ResourceExhausted => StatusCode.ResourceExhausted,
        RejectReason.Unavailable => StatusCode.Unavailable,
        RejectReason.FailedPrecondition => StatusCode.FailedPrecondition,
        _ => StatusCode.Internal,
    };
}
