namespace Peft.Client;

/// <summary>How to reach a server. Defaults suit a server started by the README's run command.</summary>
public sealed class PeftClientOptions
{
    /// <summary>The serving endpoint (Generation, health).</summary>
    public Uri Address { get; set; } = new("http://127.0.0.1:50051");

    /// <summary>The admin endpoint (Adapters, Training). Null: the serving address.</summary>
    public Uri? AdminAddress { get; set; }

    /// <summary>Sent as <c>x-api-key</c> on serving calls when set.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Sent as <c>x-api-key</c> on admin calls when set; falls back to <see cref="ApiKey"/>.</summary>
    public string? AdminApiKey { get; set; }

    /// <summary>Deadline applied to unary calls that do not pass their own.</summary>
    public TimeSpan DefaultDeadline { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Attempts for a call that fails with UNAVAILABLE before any response (1 disables retries).</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>The HTTP handler for both channels (e.g. a SocketsHttpHandler that trusts a private CA). Null: the
    /// default. The caller owns and disposes it.</summary>
    public HttpMessageHandler? HttpHandler { get; set; }
}
