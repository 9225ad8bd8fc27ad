using Peft.Server.Errors;

namespace Peft.Server.OpenAi;

/// <summary>
/// The HTTP edge's translation of <see cref="ApiErrorKind"/>: the status an OpenAI client expects and the error
/// body's <c>type</c> and <c>code</c>. 429 and 503 come with Retry-After.
/// </summary>
internal static class HttpErrorMapping
{
    public const int RetryAfterSeconds = 1;

    public static (int Status, string Type, string Code) Of(ApiErrorKind kind) => kind switch
    {
        ApiErrorKind.InvalidArgument => (StatusCodes.Status400BadRequest, "invalid_request_error", "invalid_value"),
        ApiErrorKind.FailedPrecondition => (StatusCodes.Status400BadRequest, "invalid_request_error", "unsupported"),
        ApiErrorKind.NotFound => (StatusCodes.Status404NotFound, "not_found_error", "not_found"),
        ApiErrorKind.AlreadyExists => (StatusCodes.Status409Conflict, "conflict_error", "already_exists"),
        ApiErrorKind.ResourceExhausted => (StatusCodes.Status429TooManyRequests, "rate_limit_error", "queue_full"),
        ApiErrorKind.Unavailable => (StatusCodes.Status503ServiceUnavailable, "server_error", "unavailable"),
        ApiErrorKind.Unauthenticated => (StatusCodes.Status401Unauthorized, "authentication_error", "missing_api_key"),
        ApiErrorKind.WrongKey => (StatusCodes.Status401Unauthorized, "authentication_error", "invalid_api_key"),
        ApiErrorKind.PermissionDenied => (StatusCodes.Status403Forbidden, "permission_error", "permission_denied"),
        ApiErrorKind.DeadlineExceeded => (StatusCodes.Status504GatewayTimeout, "timeout_error", "deadline_exceeded"),
        ApiErrorKind.Cancelled => (StatusCodes.Status499ClientClosedRequest, "cancelled", "cancelled"),
        _ => (StatusCodes.Status500InternalServerError, "server_error", "internal_error"),
    };

    public static bool RetryLater(int status) => status is StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable;
}
