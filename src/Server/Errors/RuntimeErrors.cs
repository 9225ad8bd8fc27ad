using System.Threading.Channels;
using Peft.Runtime.Adapters;
using Peft.Runtime.Adapters.Registry;
using Peft.Runtime.Adapters.Storage;
using Peft.Runtime.Engine;
using Peft.Runtime.Storage;
using Peft.Runtime.Training.Jobs;

namespace Peft.Server.Errors;

/// <summary>
/// The one rule that decides what an exception means to the caller, whichever edge the call came through. Every
/// runtime exception that stands for bad input or the server's state carries a message naming the problem, which
/// the caller sees. Anything not listed is a server fault: the edge logs it and answers an internal error without
/// its message.
/// </summary>
internal static class RuntimeErrors
{
    /// <summary>The caller-facing error for <paramref name="error"/>, or null when it is an unexpected server fault.</summary>
    /// <param name="aborted">The call was cancelled by its caller or its deadline (the edge knows which).</param>
    /// <param name="deadlinePassed">With <paramref name="aborted"/>: it was the deadline.</param>
    public static ApiException? Classify(Exception error, bool aborted, bool deadlinePassed)
    {
        if (error is ChannelClosedException { InnerException: { } inner }) error = inner;
        return error switch
        {
            ApiException e => e,
            AdapterNotFoundException e => new(ApiErrorKind.NotFound, e.Message),
            AdapterExistsException e => new(ApiErrorKind.AlreadyExists, e.Message),
            AdapterLoadException e => new(ApiErrorKind.InvalidArgument, e.Message),
            AdapterUploadException e => new(ApiErrorKind.InvalidArgument, e.Message),
            AdapterPathException e => new(PathKind(e.Reason), e.Message),
            RequestRejectedException e => new(RejectKind(e.Reason), e.Message),
            TrainingJobException e when TrainingKind(e.Error) is { } kind => new(kind, e.Message),
            StorageFullException e => new(ApiErrorKind.ResourceExhausted, e.Message),
            AdapterStoreBusyException e => new(ApiErrorKind.Unavailable, e.Message),
            OperationCanceledException or IOException or InvalidOperationException when aborted =>
                deadlinePassed
                    ? new(ApiErrorKind.DeadlineExceeded, "the deadline passed; the request was stopped")
                    : new(ApiErrorKind.Cancelled, "the call was cancelled; the request was stopped"),
            // The engine cancels requests it still holds when it stops (drain timeout passed).
            OperationCanceledException e => new(ApiErrorKind.Unavailable, $"the server is shutting down: {e.Message}"),
            IOException e when DiskFull.Is(e) => new(ApiErrorKind.ResourceExhausted, $"the server's disk is full; nothing was changed, retry once space is freed ({e.Message})"),
            _ => null,
        };
    }

    private static ApiErrorKind PathKind(AdapterPathReason reason) => reason switch
    {
        AdapterPathReason.NotFound => ApiErrorKind.NotFound,
        AdapterPathReason.OutsideRoots or AdapterPathReason.SymlinkEscape => ApiErrorKind.PermissionDenied,
        _ => ApiErrorKind.InvalidArgument,
    };

    private static ApiErrorKind? TrainingKind(TrainingJobError error) => error switch
    {
        TrainingJobError.InvalidArgument => ApiErrorKind.InvalidArgument,
        TrainingJobError.NotFound => ApiErrorKind.NotFound,
        TrainingJobError.AlreadyExists => ApiErrorKind.AlreadyExists,
        TrainingJobError.FailedPrecondition => ApiErrorKind.FailedPrecondition,
        TrainingJobError.ResourceExhausted => ApiErrorKind.ResourceExhausted,
        TrainingJobError.Unavailable => ApiErrorKind.Unavailable,
        TrainingJobError.PermissionDenied => ApiErrorKind.PermissionDenied,
        _ => null,
    };

    private static ApiErrorKind RejectKind(RejectReason reason) => reason switch
    {
        RejectReason.InvalidArgument => ApiErrorKind.InvalidArgument,
        RejectReason.ResourceExhausted => ApiErrorKind.ResourceExhausted,
        RejectReason.Unavailable => ApiErrorKind.Unavailable,
        _ => ApiErrorKind.FailedPrecondition,
    };
}
