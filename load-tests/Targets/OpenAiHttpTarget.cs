using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Peft.LoadTests.Targets;

/// <summary>
/// A server over its OpenAI-compatible HTTP API: <c>POST /v1/completions</c> with <c>stream: true</c> (server-sent
/// events over HTTP/1.1, one connection per request in flight), token-id prompts, <c>ignore_eos</c>, and the
/// adapter as <c>model</c> (the base model under the name <c>GET /v1/models</c> lists first). The server sends one
/// event per engine event, which is one token, so each event with a choice counts one token as it arrives; the final
/// usage event gives the exact count.
/// </summary>
internal sealed class OpenAiHttpTarget : ITarget
{
    private readonly HttpClient _http;
    private readonly string _baseModel;

    private OpenAiHttpTarget(HttpClient http, string baseModel, Uri address)
    {
        _http = http;
        _baseModel = baseModel;
        Name = $"http {address}";
    }

    public string Name { get; }

    public static async Task<OpenAiHttpTarget> ConnectAsync(Uri address, string? apiKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        var http = new HttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan, MaxConnectionsPerServer = int.MaxValue })
        {
            BaseAddress = address,
            Timeout = Timeout.InfiniteTimeSpan,
            DefaultRequestVersion = HttpVersion.Version11,
        };
        if (apiKey is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        try
        {
            var models = await http.GetFromJsonAsync<JsonObject>("/v1/models", cancellationToken);
            string baseModel = (string?)models?["data"]?[0]?["id"] ?? throw new InvalidOperationException($"{address}/v1/models lists no model");
            return new OpenAiHttpTarget(http, baseModel, address);
        }
        catch
        {
            http.Dispose();
            throw;
        }
    }

    public async Task<TargetOutcome> SendAsync(TargetRequest request, Action<int> onTokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(onTokens);
        var body = new JsonObject
        {
            ["model"] = request.AdapterId ?? _baseModel,
            ["prompt"] = new JsonArray([.. request.PromptTokens.Select(t => (JsonNode)t)]),
            ["max_tokens"] = request.MaxNewTokens,
            ["ignore_eos"] = true,
            ["stream"] = true,
            ["stream_options"] = new JsonObject { ["include_usage"] = true },
        };
        int tokens = 0;
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, "/v1/completions") { Content = JsonContent.Create(body) };
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
                return new TargetOutcome(StatusOf(response.StatusCode), 0, await response.Content.ReadAsStringAsync(cancellationToken));
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
            int? usage = null;
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
                if (line == "data: [DONE]")
                    return usage is { } exact ? new TargetOutcome(TargetOutcome.Ok, exact) : new TargetOutcome("Internal", tokens, "the stream ended without usage");
                var chunk = JsonNode.Parse(line.AsSpan(6).ToString());
                if (chunk?["error"] is { } error) return new TargetOutcome("Internal", tokens, error.ToJsonString());
                if (chunk?["choices"] is JsonArray { Count: > 0 })
                {
                    tokens++;
                    onTokens(1);
                }
                if (chunk?["usage"] is JsonObject u) usage = (int?)u["completion_tokens"];
            }
            return new TargetOutcome("Internal", tokens, "the stream ended without [DONE]");
        }
        catch (OperationCanceledException e)
        {
            return new TargetOutcome("Cancelled", tokens, e.Message);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or JsonException)
        {
            return new TargetOutcome("Unavailable", tokens, e.Message);
        }
    }

    /// <summary>HTTP statuses under the gRPC-style names the reports use.</summary>
    private static string StatusOf(HttpStatusCode status) => status switch
    {
        HttpStatusCode.BadRequest => "InvalidArgument",
        HttpStatusCode.Unauthorized => "Unauthenticated",
        HttpStatusCode.Forbidden => "PermissionDenied",
        HttpStatusCode.NotFound => "NotFound",
        HttpStatusCode.TooManyRequests => "ResourceExhausted",
        HttpStatusCode.ServiceUnavailable => "Unavailable",
        _ => $"Http{(int)status}",
    };

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }
}
