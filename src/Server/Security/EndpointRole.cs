namespace Peft.Server.Security;

/// <summary>What a Kestrel endpoint is for. Each gRPC service is mapped to one role (health and reflection to both
/// gRPC roles) and refused on the others.</summary>
public enum EndpointRole
{
    /// <summary>Generation: Server:ServingHost:ServingPort, optional Server:ApiKey.</summary>
    Serving,

    /// <summary>Adapters and Training: Server:AdminHost:AdminPort, Server:AdminApiKey required, loopback by default.</summary>
    Admin,

    /// <summary>The Prometheus scrape endpoint when Server:Metrics is Separate (HTTP/1.1).</summary>
    Metrics,
}
