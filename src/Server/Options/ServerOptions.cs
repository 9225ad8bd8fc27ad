namespace Peft.Server.Options;

/// <summary>
/// The <c>Server</c> section: where the serving and admin endpoints (gRPC and HTTP each) listen, their keys, TLS,
/// metrics and shutdown.
/// Bound from appsettings.json, then environment variables (<c>PEFT_Server__AdminPort=…</c>), then the command line
/// (<c>--Server:AdminPort=…</c>). Validated at start by <see cref="ServerOptionsValidator"/>.
/// </summary>
public sealed class ServerOptions
{
    public const string Section = "Server";

    /// <summary>Address of the serving endpoint (Generation, health, reflection). Default 127.0.0.1.</summary>
    public string ServingHost { get; set; } = "127.0.0.1";

    /// <summary>Port of the serving endpoint. Default 50051; 0 picks a free port (tests).</summary>
    public int ServingPort { get; set; } = 50051;

    /// <summary>Address of the admin endpoint (Adapters, later Training, health, reflection). Default 127.0.0.1.</summary>
    public string AdminHost { get; set; } = "127.0.0.1";

    /// <summary>Port of the admin endpoint. Default 50052; 0 picks a free port (tests).</summary>
    public int AdminPort { get; set; } = 50052;

    /// <summary>Lets <see cref="AdminHost"/> be a non-loopback address and admin calls come from other hosts.
    /// Default false: the admin API is reachable from this machine only.</summary>
    public bool AllowRemoteAdmin { get; set; }

    /// <summary>When set, serving calls must carry it (gRPC: <c>x-api-key</c>; HTTP: <c>Authorization: Bearer</c>).
    /// Default: none (serving is open).</summary>
    public string? ApiKey { get; set; }

    /// <summary>Admin calls must carry it, as the serving key. Default: none, which disables the admin API.</summary>
    public string? AdminApiKey { get; set; }

    /// <summary>Where the Prometheus scrape endpoint (<c>/metrics</c>) is served. Default Separate.</summary>
    public MetricsEndpoint Metrics { get; set; } = MetricsEndpoint.Separate;

    /// <summary>Address of the separate metrics endpoint (HTTP/1.1). Default 127.0.0.1.</summary>
    public string MetricsHost { get; set; } = "127.0.0.1";

    /// <summary>Port of the separate metrics endpoint. Default 50053; 0 picks a free port (tests).</summary>
    public int MetricsPort { get; set; } = 50053;

    /// <summary>TLS for every endpoint. Default: off (cleartext HTTP/2 and HTTP/1.1).</summary>
    public TlsOptions Tls { get; set; } = new();

    /// <summary>How long, after SIGTERM, the server keeps its listeners open and serves while health already reports
    /// NOT_SERVING, so Kubernetes readiness and routers stop sending before calls are refused. Default 0 (refuse at
    /// once); the container image sets 5 s. Kubernetes' terminationGracePeriodSeconds must cover it plus
    /// <see cref="DrainTimeout"/>.</summary>
    public TimeSpan ShutdownDelay { get; set; } = TimeSpan.Zero;

    /// <summary>How long shutdown waits for running requests to finish before cancelling them. Default 30 s.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Where <c>/metrics</c> is served.</summary>
public enum MetricsEndpoint
{
    /// <summary>On its own endpoint (<see cref="ServerOptions.MetricsHost"/>:<see cref="ServerOptions.MetricsPort"/>),
    /// HTTP/1.1, no key: what Prometheus scrapes.</summary>
    Separate,

    /// <summary>On the admin endpoint (which answers HTTP/1.1 as well as gRPC's HTTP/2).</summary>
    Admin,

    /// <summary>No scrape endpoint (OTLP export still works).</summary>
    Off,
}

/// <summary>The <c>Server:Tls</c> section: a PKCS#12 certificate for every endpoint.</summary>
public sealed class TlsOptions
{
    /// <summary>Path of a .pfx/.p12 file (relative to the working directory). Default: none, TLS off.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>Its password, if any. Prefer the environment (<c>PEFT_Server__Tls__CertificatePassword</c>).</summary>
    public string? CertificatePassword { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(CertificatePath);
}
