namespace Peft.Server.Errors;

/// <summary>Shorthands for the <see cref="ApiException"/>s that validation and services throw; the message names the problem.</summary>
internal static class ApiErrors
{
    public static ApiException Invalid(string message, string? param = null) => new(ApiErrorKind.InvalidArgument, message, param);

    public static ApiException NotFound(string message, string? param = null) => new(ApiErrorKind.NotFound, message, param);

    public static ApiException Exists(string message) => new(ApiErrorKind.AlreadyExists, message);

    public static ApiException Precondition(string message, string? param = null) => new(ApiErrorKind.FailedPrecondition, message, param);

    public static ApiException Exhausted(string message) => new(ApiErrorKind.ResourceExhausted, message);

    public static ApiException Unavailable(string message) => new(ApiErrorKind.Unavailable, message);

    public static ApiException Unauthenticated(string message) => new(ApiErrorKind.Unauthenticated, message);

    public static ApiException Denied(string message) => new(ApiErrorKind.PermissionDenied, message);

    public static ApiException WrongKey(string message) => new(ApiErrorKind.WrongKey, message);
}
