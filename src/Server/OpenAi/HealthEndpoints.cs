using Peft.Server.Hosting;

namespace Peft.Server.OpenAi;

/// <summary>
/// Health for orchestrators over plain HTTP, without a key: <c>/health</c> answers 200 while the process is up
/// (liveness); <c>/ready</c> answers 200 once the model is loaded and warmed up and 503 (with Retry-After) while it
/// loads, after it failed, and from the start of shutdown (readiness), the same states gRPC health reports.
/// </summary>
internal static class HealthEndpoints
{
    public static IResult Health() => Results.Json(new { status = "ok" });

    public static IResult Ready(ModelHost host, HttpContext http)
    {
        var state = host.State;
        if (state == ServingState.Ready) return Results.Json(new { status = "ready" });
        http.Response.Headers.RetryAfter = HttpErrorMapping.RetryAfterSeconds.ToString();
        return Results.Json(new { status = state.ToString().ToLowerInvariant() }, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
