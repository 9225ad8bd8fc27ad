using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Net.Client.Configuration;

namespace Peft.Client;

/// <summary>
/// The typed client. One instance holds the channels (HTTP/2 connections) and is meant to be shared.
/// Retries on UNAVAILABLE are done by the channel's retry policy, so a streaming call is retried only until its
/// first response arrives and never replays tokens.
/// </summary>
public sealed partial class PeftClient : IDisposable
{
    public const string ApiKeyHeader = "x-api-key";

    private readonly PeftClientOptions _options;
    private readonly GrpcChannel _serving;
    private readonly GrpcChannel _admin;

    public PeftClient(PeftClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxAttempts < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxAttempts must be at least 1");
        _options = options;
        _serving = CreateChannel(options.Address, options.ApiKey, options);
        _admin = options.AdminAddress is null && options.AdminApiKey is null
            ? _serving
            : CreateChannel(options.AdminAddress ?? options.Address, options.AdminApiKey ?? options.ApiKey, options);
    }

    /// <summary>The standard gRPC health check of the serving endpoint.</summary>
    public async Task<HealthCheckResponse.Types.ServingStatus> CheckHealthAsync(CancellationToken cancellationToken = default)
    {
        var health = new Health.HealthClient(_serving);
        var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: Deadline(), cancellationToken: cancellationToken);
        return reply.Status;
    }

    private DateTime Deadline(TimeSpan? timeout = null) => DateTime.UtcNow.Add(timeout ?? _options.DefaultDeadline);

    private static GrpcChannel CreateChannel(Uri address, string? apiKey, PeftClientOptions settings)
    {
        int maxAttempts = settings.MaxAttempts;
        var retry = new MethodConfig
        {
            Names = { MethodName.Default },
            RetryPolicy = maxAttempts > 1
                ? new RetryPolicy
                {
                    MaxAttempts = maxAttempts,
                    InitialBackoff = TimeSpan.FromMilliseconds(200),
                    MaxBackoff = TimeSpan.FromSeconds(3),
                    BackoffMultiplier = 2,
                    RetryableStatusCodes = { StatusCode.Unavailable },
                }
                : null,
        };
        var options = new GrpcChannelOptions
        {
            ServiceConfig = new ServiceConfig { MethodConfigs = { retry } },
            MaxReceiveMessageSize = 64 * 1024 * 1024,
            HttpHandler = settings.HttpHandler,
            DisposeHttpClient = settings.HttpHandler is null,
        };
        if (apiKey is not null)
        {
            var credentials = CallCredentials.FromInterceptor((_, metadata) =>
            {
                metadata.Add(ApiKeyHeader, apiKey);
                return Task.CompletedTask;
            });
            options.Credentials = address.Scheme == Uri.UriSchemeHttps
                ? ChannelCredentials.Create(ChannelCredentials.SecureSsl, credentials)
                : ChannelCredentials.Create(ChannelCredentials.Insecure, credentials);
            options.UnsafeUseInsecureChannelCallCredentials = address.Scheme != Uri.UriSchemeHttps;
        }
        return GrpcChannel.ForAddress(address, options);
    }

    public void Dispose()
    {
        if (!ReferenceEquals(_admin, _serving)) _admin.Dispose();
        _serving.Dispose();
    }
}
