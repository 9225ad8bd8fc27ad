using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Peft.Server.Options;

namespace Peft.Server.Security;

/// <summary>
/// Binds Kestrel from the validated <see cref="ServerOptions"/>: the serving and admin endpoints and, when
/// Server:Metrics is Separate, the metrics endpoint (HTTP/1.1). TLS, when configured, applies to all of them.
/// Serving and admin speak HTTP/2 (gRPC, and HTTP/2 clients of the HTTP API) and HTTP/1.1 (the OpenAI-compatible
/// API, health) on the same port: with TLS chosen by ALPN, in cleartext by the first bytes
/// (<see cref="CleartextProtocolDetection"/>). Reading the options here is what runs their validation when the
/// server starts.
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
                else if (protocols == HttpProtocols.Http1AndHttp2) UseCleartextDetection(kestrel, listen);
                roles.Add(role, listen, certificate is not null);
            });

        Listen(EndpointRole.Serving, options.ServingHost, options.ServingPort, HttpProtocols.Http1AndHttp2);
        Listen(EndpointRole.Admin, options.AdminHost, options.AdminPort, HttpProtocols.Http1AndHttp2);
        if (options.Metrics == MetricsEndpoint.Separate)
            Listen(EndpointRole.Metrics, options.MetricsHost, options.MetricsPort, HttpProtocols.Http1);
    }

    /// <summary>The public endpoint serves HTTP/1.1 and hands HTTP/2 connections to the pipeline of a loopback
    /// HTTP/2-only endpoint, bound first (Kestrel binds in the order endpoints are added).</summary>
    private static void UseCleartextDetection(KestrelServerOptions kestrel, ListenOptions listen)
    {
        listen.Protocols = HttpProtocols.Http1;
        var http2 = new Http2Pipeline();
        kestrel.Listen(IPAddress.Loopback, 0, hidden =>
        {
            hidden.Protocols = HttpProtocols.Http2;
            hidden.Use(http2.Capture);
        });
        listen.Use(CleartextProtocolDetection.Middleware(http2, kestrel.Limits.RequestHeadersTimeout));
    }
}
