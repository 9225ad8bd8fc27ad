using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Peft.Server.Security;

/// <summary>
/// The Kestrel endpoints by role. Kestrel writes the bound port back into each <see cref="ListenOptions"/>, so
/// a connection's role is found by its local port, which also works with port 0 (tests).
/// </summary>
public sealed class EndpointRoles
{
    private readonly Dictionary<EndpointRole, (ListenOptions Listen, bool Tls)> _endpoints = [];
    private readonly Lock _gate = new();

    internal void Add(EndpointRole role, ListenOptions listen, bool tls)
    {
        lock (_gate) _endpoints[role] = (listen, tls);
    }

    /// <summary>The role of the endpoint a connection arrived on; null for an endpoint not configured by us.</summary>
    public EndpointRole? RoleOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        int port = context.Connection.LocalPort;
        lock (_gate)
            foreach (var (role, endpoint) in _endpoints)
                if (endpoint.Listen.IPEndPoint?.Port == port) return role;
        return null;
    }

    /// <summary>The bound address of a role's endpoint (after start), or null when it has none.</summary>
    public Uri? Address(EndpointRole role)
    {
        (ListenOptions Listen, bool Tls) bound;
        lock (_gate)
            if (!_endpoints.TryGetValue(role, out bound)) return null;
        if (bound.Listen.IPEndPoint is not { } endpoint) return null;
        var ip = endpoint.Address.Equals(IPAddress.IPv6Any) || endpoint.Address.Equals(IPAddress.Any) ? IPAddress.Loopback : endpoint.Address;
        string scheme = bound.Tls ? "https" : "http";
        return new Uri($"{scheme}://{new IPEndPoint(ip, endpoint.Port)}");
    }

    public string Describe(EndpointRole role) => Address(role)?.ToString() ?? "(off)";
}
