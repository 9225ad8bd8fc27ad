using Grpc.Core;

namespace Peft.Cli;

/// <summary>Exit codes scripts can branch on. Documented in docs/cli.md.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int Usage = 2;
    public const int Unavailable = 3;
    public const int NotFound = 4;
    public const int InvalidArgument = 5;
    public const int Unauthorized = 6;
    public const int ResourceExhausted = 7;
    public const int DeadlineExceeded = 8;
    public const int Conflict = 9;
    public const int Cancelled = 10;
    /// <summary>Ctrl-C, or a call cancelled (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;

    public static int From(StatusCode code) => code switch
    {
        StatusCode.OK => Ok,
        StatusCode.Unavailable => Unavailable,
        StatusCode.NotFound => NotFound,
        StatusCode.InvalidArgument or StatusCode.OutOfRange => InvalidArgument,
        StatusCode.Unauthenticated or StatusCode.PermissionDenied => Unauthorized,
        StatusCode.ResourceExhausted => ResourceExhausted,
        StatusCode.DeadlineExceeded => DeadlineExceeded,
        StatusCode.AlreadyExists or StatusCode.FailedPrecondition or StatusCode.Aborted => Conflict,
        StatusCode.Cancelled => Interrupted,
        _ => Failure,
    };
}
