using Grpc.Core;
using Grpc.Net.Client;
using Peft.Protos.V1;

namespace Peft.LoadTests.Targets;

/// <summary>
/// A server over gRPC: <c>peft.v1.Generation/GenerateStream</c> with token-id prompts, through a plain channel and
/// the client generated from protos/peft/v1/generation.proto (so it depends on the contract, not on a client
/// library). One channel, several HTTP/2 connections when a connection's stream limit is reached.
/// </summary>
internal sealed class GrpcTarget : ITarget
{
    /// <summary>The serving API key header the server checks.</summary>
    public const string ApiKeyHeader = "x-api-key";

    private readonly GrpcChannel _channel;
    private readonly Generation.GenerationClient _client;
    private readonly Metadata _headers = [];

    public GrpcTarget(Uri address, string? apiKey)
    {
        ArgumentNullException.ThrowIfNull(address);
        _channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan },
            MaxReceiveMessageSize = 16 << 20,
        });
        _client = new Generation.GenerationClient(_channel);
        if (apiKey is not null) _headers.Add(ApiKeyHeader, apiKey);
        Name = $"grpc {address}";
    }

    public string Name { get; }

    public async Task<TargetOutcome> SendAsync(TargetRequest request, Action<int> onTokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(onTokens);
        var message = new GenerateRequest
        {
            AdapterId = request.AdapterId ?? "",
            TokenIds = new TokenIds(),
            Sampling = new SamplingParams { MaxNewTokens = (uint)request.MaxNewTokens, IgnoreEos = true },
        };
        message.TokenIds.Ids.AddRange(request.PromptTokens);

        int tokens = 0;
        try
        {
            using var call = _client.GenerateStream(message, _headers, cancellationToken: cancellationToken);
            await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellationToken))
            {
                if (chunk.TokenIds.Count > 0)
                {
                    tokens += chunk.TokenIds.Count;
                    onTokens(chunk.TokenIds.Count);
                }
                if (chunk.FinishReason != FinishReason.Unspecified) return new TargetOutcome(TargetOutcome.Ok, tokens);
            }
            return new TargetOutcome("Internal", tokens, "the stream ended without a finish reason");
        }
        catch (RpcException e)
        {
            return new TargetOutcome(e.StatusCode.ToString(), tokens, e.Status.Detail);
        }
        catch (OperationCanceledException e)
        {
            return new TargetOutcome("Cancelled", tokens, e.Message);
        }
        catch (HttpRequestException e)
        {
            return new TargetOutcome("Unavailable", tokens, e.Message);
        }
    }

    public ValueTask DisposeAsync()
    {
        _channel.Dispose();
        return ValueTask.CompletedTask;
    }
}
