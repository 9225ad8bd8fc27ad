using System.ClientModel;
using System.Net;
using System.Text.Json.Nodes;
using OpenAI.Chat;
using Peft.Runtime.Engine.Testing;
using Peft.Server.Tests.Support;
using Peft.Testing;

namespace Peft.Server.Tests.OpenAi;

/// <summary>The tiny Llama without tokenizer or chat template, a serving key, one running sequence and a queue of one.</summary>
public sealed class KeyedConstrainedServer : OpenAiServer
{
    public const string Key = "serving-key";

    protected override string? ModelDirectory => Fixtures.LlamaBase;

    protected override string[] Arguments =>
        ["--Model:ServedName=tiny", $"--Server:ApiKey={Key}", "--Engine:MaxRunningSequences=1", "--Engine:MaxWaitingRequests=1"];

    protected override (string Id, string Path)[] Adapters => [];
}

/// <summary>Keys, a full queue, a model without tokenizer or template, health and the two protocols on one port.</summary>
public sealed class OpenAiAccessTests(KeyedConstrainedServer fixture) : IClassFixture<KeyedConstrainedServer>
{
    private static object Completion(int n = 1, int maxTokens = 4) => new { model = "tiny", prompt = Requests.Prompt, max_tokens = maxTokens, n, ignore_eos = true };

    [Fact]
    public async Task A_missing_or_wrong_key_is_401_and_the_bearer_key_is_served()
    {
        using var none = fixture.Http();
        using var wrong = fixture.Http(key: "not-it");
        using var right = fixture.Http(key: KeyedConstrainedServer.Key);

        var (missing, missingBody) = await OpenAiServer.PostAsync(none, "/v1/completions", Completion());
        var (bad, badBody) = await OpenAiServer.PostAsync(wrong, "/v1/completions", Completion());
        var (ok, _) = await OpenAiServer.PostAsync(right, "/v1/completions", Completion());

        Assert.Equal(401, missing);
        Assert.Equal("missing_api_key", (string)missingBody["error"]!["code"]!);
        Assert.Equal(401, bad);
        Assert.Equal("invalid_api_key", (string)badBody["error"]!["code"]!);
        Assert.Equal(200, ok);
        var sdk = await Assert.ThrowsAsync<ClientResultException>(() => fixture.Chat("tiny", "not-it").CompleteChatAsync([new UserChatMessage("x")]));
        Assert.Equal(401, sdk.Status);
    }

    [Fact]
    public async Task Choices_that_overflow_the_queue_are_429_with_retry_after_and_none_of_them_runs()
    {
        using var http = fixture.Http(key: KeyedConstrainedServer.Key);
        using var events = fixture.Server.EngineHooks.Record();
        // Held at its next turn, before scheduling: the first of three choices keeps its place in the queue of one
        // (a place is given up when first scheduled), so the second finds the queue full.
        using var hold = fixture.Server.EngineHooks.HoldAt(EnginePoint.BeforeSchedule, _ => true);
        using var response = await http.PostAsync("/v1/completions", System.Net.Http.Json.JsonContent.Create(Completion(n: 3, maxTokens: 200)));
        hold.Release();

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter!.Delta);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal("rate_limit_error", (string)error["type"]!);
        Assert.Contains("waiting", (string)error["message"]!);
        // The one choice the engine took was cancelled before it was ever scheduled.
        var first = Assert.Single(events.Events.OfType<SequenceSubmitted>());
        var retired = await events.WaitFor<SequenceRetired>(r => r.SequenceId == first.SequenceId);
        Assert.Equal(SequenceOutcome.Cancelled, retired.Outcome);
        Assert.Equal(0, retired.Generated);
        Requests.AssertFreed(fixture.Server, "the request retired");
    }

    [Fact]
    public async Task Without_a_chat_template_chat_is_400_and_token_id_completions_still_work()
    {
        using var http = fixture.Http(key: KeyedConstrainedServer.Key);
        var (chat, body) = await OpenAiServer.PostAsync(http, "/v1/chat/completions", new { model = "tiny", messages = new[] { new { role = "user", content = "hi" } } });
        var (text, textBody) = await OpenAiServer.PostAsync(http, "/v1/completions", new { model = "tiny", prompt = "hi" });
        var (ids, idsBody) = await OpenAiServer.PostAsync(http, "/v1/completions", Completion());

        Assert.Equal(400, chat);
        Assert.Contains("no chat template", (string)body["error"]!["message"]!);
        Assert.Equal(400, text);
        Assert.Contains("no tokenizer", (string)textBody["error"]!["message"]!);
        Assert.Equal(200, ids);
        Assert.Equal(4, (int)idsBody["usage"]!["completion_tokens"]!);
    }

    [Fact]
    public async Task Health_and_ready_answer_plain_http_without_a_key_on_both_endpoints()
    {
        foreach (var endpoint in new[] { fixture.Server.Address, fixture.Server.AdminAddress })
        {
            using var http = fixture.Http(endpoint);
            Assert.Equal("ok", (string)JsonNode.Parse(await http.GetStringAsync("/health"))!["status"]!);
            Assert.Equal("ready", (string)JsonNode.Parse(await http.GetStringAsync("/ready"))!["status"]!);
        }
    }

    [Fact]
    public async Task Http2_with_prior_knowledge_and_grpc_share_the_serving_port_with_http1()
    {
        using var http2 = new HttpClient { BaseAddress = fixture.Server.Address, DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        http2.DefaultRequestHeaders.Authorization = new("Bearer", KeyedConstrainedServer.Key);
        using var response = await http2.GetAsync("/v1/models");
        using var http1 = fixture.Http(key: KeyedConstrainedServer.Key);
        using var viaHttp1 = await http1.GetAsync("/v1/models");
        var grpc = await fixture.Server.CreateClient(apiKey: KeyedConstrainedServer.Key).GenerateAsync(Requests.Ids(maxNewTokens: 2));

        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version11, viaHttp1.Version);
        Assert.Equal("tiny", (string)JsonNode.Parse(await viaHttp1.Content.ReadAsStringAsync())!["data"]![0]!["id"]!);
        Assert.Equal(2, grpc.TokenIds.Count);
    }

    [Fact]
    public async Task Apis_answer_only_on_their_own_endpoint_and_unknown_paths_are_404()
    {
        using var admin = fixture.Http(fixture.Server.AdminAddress, LoopbackServer.AdminKey);
        var (onAdmin, body) = await OpenAiServer.PostAsync(admin, "/v1/completions", Completion());
        using var serving = fixture.Http(key: KeyedConstrainedServer.Key);
        var (loadOnServing, _) = await OpenAiServer.PostAsync(serving, "/v1/load_lora_adapter", new { lora_name = "a", lora_path = "llama/adapters/lora_qv" });
        using var unknown = await serving.GetAsync("/v1/embeddings");

        Assert.Equal(403, onAdmin);
        Assert.Contains("serving endpoint", (string)body["error"]!["message"]!);
        Assert.Equal(403, loadOnServing);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task A_request_arriving_a_byte_at_a_time_is_still_told_apart_from_http2()
    {
        using var socket = new System.Net.Sockets.TcpClient();
        await socket.ConnectAsync(fixture.Server.Address.Host, fixture.Server.Address.Port);
        var stream = socket.GetStream();
        foreach (byte b in "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"u8.ToArray())
        {
            await stream.WriteAsync(new[] { b });
            await stream.FlushAsync();
        }
        string reply = await new StreamReader(stream).ReadToEndAsync();

        Assert.StartsWith("HTTP/1.1 200", reply);
        Assert.Contains("\"ok\"", reply);
    }
}
