using System.Diagnostics;
using System.Text.Json;
using Peft.Server.Errors;
using Peft.Server.Security;

namespace Peft.Server.OpenAi;

/// <summary>
/// Runs every HTTP API call: access by <see cref="AccessPolicy"/> (the key from <c>Authorization: Bearer</c> or
/// <c>x-api-key</c>), then the handler; whatever it throws is classified by the rule both edges share
/// (<see cref="RuntimeErrors"/>) and answered in OpenAI's error shape with the status of
/// <see cref="HttpErrorMapping"/>, the server's directories named by their configuration keys (<see cref="RootNames"/>,
/// as the gRPC edge does). A fault the rule does not know is logged and answered 500 with a trace id, never
/// its message or stack. A stream that already began ends with an error event and <c>[DONE]</c>.
/// </summary>
internal sealed class HttpEdge(AccessPolicy policy, EndpointRoles roles, RootNames roots, ILogger<HttpEdge> logger)
{
    private const string KeyHeaderForMessages = "'Authorization: Bearer'";

    /// <summary>A request delegate for an API of <paramref name="owner"/>'s endpoint.</summary>
    public RequestDelegate Serve(EndpointRole owner, string api, Func<HttpContext, Task> handler) => http => RunAsync(http, owner, api, handler);

    private async Task RunAsync(HttpContext http, EndpointRole owner, string api, Func<HttpContext, Task> handler)
    {
        try
        {
            if (policy.Check(api, roles.RoleOf(http), owner, http.Connection.RemoteIpAddress, PresentedKey(http.Request), KeyHeaderForMessages) is { } refusal)
            {
                var (status, _, _) = HttpErrorMapping.Of(refusal.Kind);
                ServerLog.Refused(logger, api, http.Connection.RemoteIpAddress?.ToString(), status.ToString(), refusal.Message);
                await WriteAsync(http, refusal);
                return;
            }
            await handler(http);
        }
        catch (Exception e)
        {
            await FailAsync(http, api, e);
        }
    }

    /// <summary><c>Authorization: Bearer KEY</c>, as OpenAI clients send it; <c>x-api-key</c> as gRPC clients do.</summary>
    private static string? PresentedKey(HttpRequest request)
    {
        string authorization = request.Headers.Authorization.ToString();
        const string bearer = "Bearer ";
        if (authorization.StartsWith(bearer, StringComparison.OrdinalIgnoreCase)) return authorization[bearer.Length..].Trim();
        string key = request.Headers[ApiKey.Header].ToString();
        return key.Length > 0 ? key : null;
    }

    private async Task FailAsync(HttpContext http, string api, Exception error)
    {
        bool aborted = http.RequestAborted.IsCancellationRequested;
        if (aborted) return;
        var known = RuntimeErrors.Classify(error, aborted: false, deadlinePassed: false) ?? BodyError(error);
        if (known is not null) known = roots.Redact(known);
        else
        {
            string trace = Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier;
            ServerLog.UnexpectedError(logger, error, api, trace);
            known = new ApiException(ApiErrorKind.Internal, $"internal server error (trace {trace}); the server log has the details");
        }
        if (!http.Response.HasStarted)
        {
            await WriteAsync(http, known);
            return;
        }
        if (http.Response.ContentType == Sse.ContentType)
            await Sse.WriteErrorAsync(http.Response, known, http.RequestAborted);
        else
            http.Abort();
    }

    /// <summary>Kestrel's own refusals of a body (too large, cut off) are the caller's problem, not a fault.</summary>
    private static ApiException? BodyError(Exception error) =>
        error is BadHttpRequestException bad ? ApiErrors.Invalid($"the request body could not be read: {bad.Message}") : null;

    public static async Task WriteAsync(HttpContext http, ApiException error)
    {
        var (status, _, _) = HttpErrorMapping.Of(error.Kind);
        http.Response.StatusCode = status;
        if (HttpErrorMapping.RetryLater(status)) http.Response.Headers.RetryAfter = HttpErrorMapping.RetryAfterSeconds.ToString();
        http.Response.ContentType = "application/json";
        await using (var json = new Utf8JsonWriter(http.Response.BodyWriter, JsonOutput.Options))
            ErrorBody.Write(json, error);
        await http.Response.BodyWriter.FlushAsync(http.RequestAborted);
    }
}
