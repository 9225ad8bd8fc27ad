using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenAI;
using OpenAI.Chat;
using Peft.Server.Tests.Support;
using Peft.Testing;

namespace Peft.Server.Tests.OpenAi;

/// <summary>The tiny Llama with a tokenizer and a chat template, an adapter of every type registered, over HTTP.</summary>
public class OpenAiServer : SharedServer
{
    public const string BaseModel = "llama-chat";

    public static readonly string[] AdapterIds = ["lora_qv", "lora_all", "prefix", "prompt", "ptuning"];

    protected override string? ModelDirectory => Fixtures.LlamaWithChatTemplate;

    protected override string[] Arguments => [$"--Model:ServedName={BaseModel}"];

    protected override (string Id, string Path)[] Adapters => [.. AdapterIds.Select(id => (id, $"llama/adapters/{id}"))];

    /// <summary>The OpenAI SDK's chat client for <paramref name="model"/> on the serving endpoint; no retries, so errors surface.</summary>
    public ChatClient Chat(string model, string key = "unused") => new(model, new ApiKeyCredential(key), Options());

    public OpenAIClientOptions Options() => new()
    {
        Endpoint = new Uri(Server.Address, "/v1"),
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        NetworkTimeout = TimeSpan.FromSeconds(60),
    };

    /// <summary>A plain HTTP/1.1 client on <paramref name="endpoint"/> (default: serving).</summary>
    public HttpClient Http(Uri? endpoint = null, string? key = null)
    {
        var client = new HttpClient { BaseAddress = endpoint ?? Server.Address, Timeout = TimeSpan.FromSeconds(60) };
        if (key is not null) client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        return client;
    }

    /// <summary>POSTs <paramref name="body"/> and returns (status, parsed JSON body; a plain-text body as {"text": ...}).</summary>
    public static async Task<(int Status, JsonObject Body)> PostAsync(HttpClient http, string path, object body)
    {
        using var response = await http.PostAsJsonAsync(path, body);
        string text = await response.Content.ReadAsStringAsync();
        bool json = response.Content.Headers.ContentType?.MediaType == "application/json";
        return ((int)response.StatusCode, json ? JsonNode.Parse(text)!.AsObject() : new JsonObject { ["text"] = text });
    }

    /// <summary>The token ids the chat template and tokenizer make of one user message (what chat calls must generate from).</summary>
    public IReadOnlyList<int> UserPromptTokens(string content) =>
        Server.Model.Tokenizer!.Encode($"<|user|>{content}<|endoftext|><|assistant|>", addSpecialTokens: false);
}
