using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Peft.Client;
using Peft.Server.Tests.Support;
using Peft.Testing;

namespace Peft.Server.Tests;

/// <summary>TLS from a PKCS#12 file on every endpoint (and OTLP export configured: the server still starts and serves).</summary>
public sealed class TlsTests
{
    [Fact]
    public async Task With_a_certificate_both_endpoints_speak_https()
    {
        string directory = Fixtures.TempDirectory("peft-tls");
        try
        {
            using var certificate = SelfSigned();
            string path = Path.Combine(directory, "server.pfx");
            await File.WriteAllBytesAsync(path, certificate.Export(X509ContentType.Pfx, "secret"));

            await using var server = await LoopbackServer.StartAsync(null,
                $"--Server:Tls:CertificatePath={path}", "--Server:Tls:CertificatePassword=secret", "--Telemetry:OtlpEndpoint=http://127.0.0.1:9");
            using var handler = new SocketsHttpHandler();
            handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) =>
                presented is not null && presented.GetCertHashString() == certificate.GetCertHashString();
            using var client = new PeftClient(new PeftClientOptions
            {
                Address = server.Address, AdminAddress = server.AdminAddress, AdminApiKey = LoopbackServer.AdminKey, HttpHandler = handler, MaxAttempts = 1,
            });

            var response = await client.GenerateAsync(Requests.Ids(maxNewTokens: 3));
            var adapters = await client.ListAdaptersAsync();

            Assert.Equal("https", server.Address.Scheme);
            Assert.Equal("https", server.AdminAddress.Scheme);
            Assert.Equal(3, response.TokenIds.Count);
            Assert.Empty(adapters);
        }
        finally
        {
            Fixtures.TryDelete(directory);
        }
    }

    [Fact]
    public async Task A_wrong_certificate_password_stops_the_start_naming_the_key()
    {
        string directory = Fixtures.TempDirectory("peft-tls");
        try
        {
            using var certificate = SelfSigned();
            string path = Path.Combine(directory, "server.pfx");
            await File.WriteAllBytesAsync(path, certificate.Export(X509ContentType.Pfx, "secret"));

            var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => LoopbackServer.StartAsync(
                Fixtures.LlamaBase, $"--Server:Tls:CertificatePath={path}", "--Server:Tls:CertificatePassword=wrong"));

            Assert.Contains("Server:Tls:CertificatePassword", error.Message);
        }
        finally
        {
            Fixtures.TryDelete(directory);
        }
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }
}
