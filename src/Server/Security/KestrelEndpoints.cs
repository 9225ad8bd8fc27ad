using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Peft.Server.Options;

namespace Peft.Server.Security;

/// <summary>
/// Binds Kestrel from the validated <see cref="ServerOptions"/>: the serving and admin endpoints (HTTP/2, gRPC) and,
/// when Server:Metrics is Separate, the metrics endpoint (HTTP/1.1). TLS, when configured, applies to all of them.
/// Reading the options here is what runs their validation when the server starts.
/// </summary>
internal static class KestrelEndpoints
{
    public static void Configure(KestrelServerOptions kestrel)
    {
        var services = kestrel.ApplicationServices;
        var options = services.GetRequiredService<IOptions<ServerOptions>>().Value;
        var roles = services.GetRequiredService<EndpointRoles>();
        var paths = services.GetRequiredService<ContentPaths>();
        X509Certificate2? certificate = options.Tls.Enabled
            ? X509CertificateLoader.LoadPkcs12FromFile(paths.Resolve(options.Tls.CertificatePath!), options.Tls.CertificatePassword)
            : null;

        void Listen(EndpointRole role, string host, int port, HttpProtocols protocols) =>
            kestrel.Listen(ServerOptionsValidator.ParseHost(host)!, port, listen =>
            {
                listen.Protocols = protocols;
                if (certificate is not null) listen.UseHttps(certificate);
                roles.Add(role, listen, certificate is not null);
            });

        Listen(EndpointRole.Serving, options.ServingHost, options.ServingPort, HttpProtocols.Http2);
        Listen(EndpointRole.Admin, options.AdminHost, options.AdminPort,
            options.Metrics == MetricsEndpoint.Admin && certificate is not null ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http2);
        if (options.Metrics == MetricsEndpoint.Separate)
            Listen(EndpointRole.Metrics, options.MetricsHost, options.MetricsPort, HttpProtocols.Http1);
    }
}
