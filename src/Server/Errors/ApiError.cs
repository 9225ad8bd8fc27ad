namespace Peft.Server.Errors;

/// <summary>
/// What kind of failure a call ended in, independent of the edge it came through. gRPC maps each kind to a status
/// code (<see cref="GrpcErrorMapping"/>), HTTP to a status and an OpenAI error body (<c>OpenAi.HttpErrorMapping</c>):
/// one rule decides the kind, each edge only translates it.
/// </summary>
public enum ApiErrorKind
{
    /// <summary>The request is malformed or a value is out of range.</summary>
    InvalidArgument,

    /// <summary>The named adapter, job, model or path does not exist.</summary>
    NotFound,

    /// <summary>The adapter or job already exists.</summary>
    AlreadyExists,

    /// <summary>Valid input that this server cannot serve as configured (no tokenizer, rank over the limit).</summary>
    FailedPrecondition,

    /// <summary>A queue or size limit is reached; retrying later may succeed.</summary>
    ResourceExhausted,

    /// <summary>The server is loading or stopping; retry (elsewhere).</summary>
    Unavailable,

    /// <summary>No key where one is required.</summary>
    Unauthenticated,

    /// <summary>A key that is not the endpoint's key.</summary>
    WrongKey,

    /// <summary>The wrong endpoint, a remote caller on the admin endpoint, a path outside the adapter roots.</summary>
    PermissionDenied,

    /// <summary>The call's deadline passed.</summary>
    DeadlineExceeded,

    /// <summary>The caller went away.</summary>
    Cancelled,

    /// <summary>A server fault: the message carries a trace id to find the logged exception by, never its details.</summary>
    Internal,
}

/// <summary>
/// A failure that stands for the caller's input or the server's state, never a fault: its message names the problem
/// and is shown to the caller as is. <see cref="Param"/> names the request field at fault when one is (OpenAI's
/// <c>param</c>).
/// </summary>
public sealed class ApiException(ApiErrorKind kind, string message, string? param = null) : Exception(message)
{
    public ApiErrorKind Kind { get; } = kind;

    public string? Param { get; } = param;
}
