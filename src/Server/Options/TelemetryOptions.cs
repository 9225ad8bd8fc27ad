namespace Peft.Server.Options;

/// <summary>The <c>Telemetry</c> section. Traces and metrics are always collected; export is configured here.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>The service.name resource attribute. Default peft-server.</summary>
    public string ServiceName { get; set; } = "peft-server";

    /// <summary>OTLP collector endpoint (e.g. http://127.0.0.1:4317). Default: none; the standard
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> environment variable also turns OTLP export on.</summary>
    public string? OtlpEndpoint { get; set; }
}
