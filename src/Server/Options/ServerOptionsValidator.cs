using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace Peft.Server.Options;

/// <summary>Fails the start on bad ports or addresses, a remote admin endpoint not explicitly allowed, shared keys,
/// or a TLS certificate that cannot be read.</summary>
public sealed class ServerOptionsValidator(ContentPaths paths) : IValidateOptions<ServerOptions>
{
    public ValidateOptionsResult Validate(string? name, ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        Port(problems, "ServingPort", options.ServingPort);
        Port(problems, "AdminPort", options.AdminPort);
        if (options.Metrics == MetricsEndpoint.Separate) Port(problems, "MetricsPort", options.MetricsPort);
        var used = new List<(string Name, int Port)> { ("ServingPort", options.ServingPort), ("AdminPort", options.AdminPort) };
        if (options.Metrics == MetricsEndpoint.Separate) used.Add(("MetricsPort", options.MetricsPort));
        foreach (var clash in used.Where(u => u.Port != 0).GroupBy(u => u.Port).Where(g => g.Count() > 1))
            problems.Add($"Server:{string.Join(" and Server:", clash.Select(c => c.Name))} are all {clash.Key}; each endpoint needs its own port");

        var admin = Address(problems, "AdminHost", options.AdminHost);
        Address(problems, "ServingHost", options.ServingHost);
        if (options.Metrics == MetricsEndpoint.Separate) Address(problems, "MetricsHost", options.MetricsHost);
        if (admin is not null && !IPAddress.IsLoopback(admin) && !options.AllowRemoteAdmin)
            problems.Add($"Server:AdminHost '{options.AdminHost}' is not a loopback address; the admin API is loopback-only unless Server:AllowRemoteAdmin is true");

        if (options.ApiKey is { } key && string.IsNullOrWhiteSpace(key))
            problems.Add("Server:ApiKey is blank; leave it unset for an open serving API");
        if (options.AdminApiKey is { } adminKey && string.IsNullOrWhiteSpace(adminKey))
            problems.Add("Server:AdminApiKey is blank; leave it unset to disable the admin API");
        if (!string.IsNullOrEmpty(options.ApiKey) && options.ApiKey == options.AdminApiKey)
            problems.Add("Server:AdminApiKey equals Server:ApiKey; the admin key must differ so serving clients cannot administer");
        if (options.DrainTimeout < TimeSpan.Zero)
            problems.Add($"Server:DrainTimeout must not be negative, not {options.DrainTimeout}");
        if (options.ShutdownDelay < TimeSpan.Zero)
            problems.Add($"Server:ShutdownDelay must not be negative, not {options.ShutdownDelay}");
        if (options.Tls.Enabled) Certificate(problems, options.Tls);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    /// <summary>Parses a configured host: an IP address, <c>localhost</c> (loopback) or <c>*</c> (every address).</summary>
    public static IPAddress? ParseHost(string? host) => host?.Trim() switch
    {
        "localhost" => IPAddress.Loopback,
        "*" => IPAddress.IPv6Any,
        { } text when IPAddress.TryParse(text, out var ip) => ip,
        _ => null,
    };

    private static void Port(List<string> problems, string name, int port)
    {
        if (port is < 0 or > 65535) problems.Add($"Server:{name} {port} is not a TCP port (0 to 65535; 0 picks a free one)");
    }

    private static IPAddress? Address(List<string> problems, string name, string host)
    {
        var ip = ParseHost(host);
        if (ip is null) problems.Add($"Server:{name} '{host}' is not an IP address, 'localhost' or '*'");
        return ip;
    }

    private void Certificate(List<string> problems, TlsOptions tls)
    {
        string path = paths.Resolve(tls.CertificatePath!);
        if (!File.Exists(path))
        {
            problems.Add($"Server:Tls:CertificatePath '{tls.CertificatePath}' (resolved to {path}) does not exist");
            return;
        }
        try
        {
            using var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, tls.CertificatePassword);
            if (!certificate.HasPrivateKey) problems.Add($"Server:Tls:CertificatePath {path} holds no private key");
        }
        catch (CryptographicException e)
        {
            problems.Add($"Server:Tls:CertificatePath {path} cannot be read as PKCS#12 with the configured Server:Tls:CertificatePassword ({e.Message})");
        }
    }
}
