using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Peft.Runtime.Engine.Testing;
using Peft.Server.Tests.Support;

namespace Peft.Server.Tests.OpenAi;

/// <summary>
/// POST /v1/completions over plain HTTP/1.1 (the .NET SDK has no public completions client; tools/openai-node drives
/// it with the official npm package): every prompt form, n, echo, logprobs, stop, streaming with usage.
/// </summary>
public sealed class OpenAiCompletionsTests(OpenAiServer fixture) : IClassFixture<OpenAiServer>
{
    public static TheoryData<string> Models => [OpenAiServer.BaseModel, .. OpenAiServer.AdapterIds];

    private static object Body(string model, object prompt, int maxTokens = 8, object? extra = null)
    {
        var body = new JsonObject { ["model"] = model, ["prompt"] = JsonSerializer(prompt), ["max_tokens"] = maxTokens, ["ignore_eos"] = true };
        if (extra is not null)
            foreach (var (key, value) in JsonSerializer(extra).AsObject()) body[key] = value?.DeepClone();
        return body;
    }

    private static JsonNode JsonSerializer(object value) => System.Text.Json.JsonSerializer.SerializeToNode(value)!;

    [Theory]
    [MemberData(nameof(Models))]
    public async Task Token_id_prompts_give_the_grpc_tokens_for_the_base_and_every_adapter_type(string model)
    {
        string adapter = model == OpenAiServer.BaseModel ? "" : model;
        var reference = await fixture.Client.GenerateAsync(Requests.Ids(maxNewTokens: 8, adapter: adapter));
        using var http = fixture.Http();

        var (status, body) = await OpenAiServer.PostAsync(http, "/v1/completions", Body(model, Requests.Prompt));

        Assert.Equal(200, status);
        Assert.Equal("text_completion", (string)body["object"]!);
        Assert.Equal(model, (string)body["model"]!);
        var choice = body["choices"]![0]!;
        Assert.Equal(reference.Text, (string)choice["text"]!);
        Assert.Equal("length", (string)choice["finish_reason"]!);
        Assert.Equal(Requests.Prompt.Length, (int)body["usage"]!["prompt_tokens"]!);
        Assert.Equal(8, (int)body["usage"]!["completion_tokens"]!);
        Assert.Equal(Requests.Prompt.Length + 8, (int)body["usage"]!["total_tokens"]!);
    }

    [Fact]
    public async Task A_batch_of_prompts_with_n_answers_each_prompt_n_times_in_order_and_counts_each_prompt_once()
    {
        using var http = fixture.Http();
        var prompts = new object[] { "Once upon a time", new[] { 1, 2, 3 }, "Hello" };
        var (status, body) = await OpenAiServer.PostAsync(http, "/v1/completions", Body("lora_qv", prompts, 6, new { n = 2 }));

        Assert.Equal(200, status);
        var choices = body["choices"]!.AsArray();
        Assert.Equal(6, choices.Count);
        Assert.Equal([0, 1, 2, 3, 4, 5], choices.Select(c => (int)c!["index"]!));
        for (int p = 0; p < prompts.Length; p++)
        {
            var (_, single) = await OpenAiServer.PostAsync(http, "/v1/completions", Body("lora_qv", prompts[p], 6));
            // Greedy: both choices of a prompt equal its single answer.
            Assert.Equal((string)single["choices"]![0]!["text"]!, (string)choices[2 * p]!["text"]!);
            Assert.Equal((string)single["choices"]![0]!["text"]!, (string)choices[2 * p + 1]!["text"]!);
        }
        int promptTokens = fixture.Server.Model.Tokenizer!.Encode("Once upon a time").Count + 3 + fixture.Server.Model.Tokenizer.Encode("Hello").Count;
        Assert.Equal(promptTokens, (int)body["usage"]!["prompt_tokens"]!);
        Assert.Equal(36, (int)body["usage"]!["completion_tokens"]!);
    }

    [Fact]
    public async Task Echo_prepends_the_prompt_and_logprobs_list_each_token_with_offsets()
    {
        using var http = fixture.Http();
        var (_, echoed) = await OpenAiServer.PostAsync(http, "/v1/completions", Body("prompt", "Once upon", 5, new { echo = true }));
        var (_, plain) = await OpenAiServer.PostAsync(http, "/v1/completions", Body("prompt", "Once upon", 5, new { logprobs = 2 }));

        var grpc = Requests.Text("Once upon", 5, "prompt");
        grpc.Sampling.TopLogprobs = 2;
        var reference = await fixture.Client.GenerateAsync(grpc);

        string text = (string)plain["choices"]![0]!["text"]!;
        Assert.Equal(reference.Text, text);
        Assert.Equal("Once upon" + text, (string)echoed["choices"]![0]!["text"]!);
        var logprobs = plain["choices"]![0]!["logprobs"]!;
        var tokens = logprobs["tokens"]!.AsArray().Select(t => (string)t!).ToArray();
        Assert.Equal(reference.Logprobs.Select(l => l.Text), tokens);
        Assert.Equal(reference.Logprobs.Select(l => l.Logprob), logprobs["token_logprobs"]!.AsArray().Select(l => (float)l!));
        // Two top tokens may decode to the same text (U+FFFD for parts of characters): the object keeps one.
        Assert.All(logprobs["top_logprobs"]!.AsArray(), top => Assert.InRange(top!.AsObject().Count, 1, 2));
        var offsets = logprobs["text_offset"]!.AsArray().Select(o => (int)o!).ToArray();
        Assert.Equal(0, offsets[0]);
        for (int i = 1; i < tokens.Length; i++) Assert.Equal(offsets[i - 1] + tokens[i - 1].Length, offsets[i]);

        var (refused, error) = await OpenAiServer.PostAsync(http, "/v1/completions", Body("prompt", "Once upon", 5, new { echo = true, logprobs = 1 }));
        Assert.Equal(400, refused);
        Assert.Equal("echo", (string)error["error"]!["param"]!);
    }

    [Fact]
    public async Task A_stream_has_one_event_per_token_then_usage_then_done_and_joins_to_the_whole_text()
    {
        using var http = fixture.Http();
        var (_, whole) = await OpenAiServer.PostAsync(http, "/v1/completions", Body("lora_all", "Once upon a time", 10));

        using var response = await http.PostAsJsonAsync("/v1/completions",
            Body("lora_all", "Once upon a time", 10, new { stream = true, stream_options = new { include_usage = true } }));
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("data: [DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonNode.Parse(e["data: ".Length..])!).ToArray();
        var usage = chunks[^1];
        Assert.Empty(usage["choices"]!.AsArray());
        Assert.Equal(10, (int)usage["usage"]!["completion_tokens"]!);
        var tokens = chunks[..^1];
        Assert.Equal(10, tokens.Length);
        Assert.All(tokens, c => Assert.Null(c["usage"]));
        Assert.Equal((string)whole["choices"]![0]!["text"]!, string.Concat(tokens.Select(c => (string)c["choices"]![0]!["text"]!)));
        Assert.Equal("length", (string)tokens[^1]["choices"]![0]!["finish_reason"]!);
        Assert.All(tokens[..^1], c => Assert.Null(c["choices"]![0]!["finish_reason"]));
        Assert.Single(chunks.Select(c => (string)c["id"]!).Distinct());
    }

    [Fact]
    public async Task Stop_strings_and_stop_token_ids_end_the_text()
    {
        using var http = fixture.Http();
        var (_, free) = await OpenAiServer.PostAsync(http, "/v1/completions", Body("prompt", "Hello", 24));
        string text = (string)free["choices"]![0]!["text"]!;
        Assert.True(text.Length >= 4, $"need text to cut: '{text}'");
        string stop = text.Substring(2, 2);

        var (_, stopped) = await OpenAiServer.PostAsync(http, "/v1/completions", Body("prompt", "Hello", 24, new { stop = new[] { "never-there", stop } }));

        Assert.Equal(text[..text.IndexOf(stop, StringComparison.Ordinal)], (string)stopped["choices"]![0]!["text"]!);
        Assert.Equal("stop", (string)stopped["choices"]![0]!["finish_reason"]!);
    }

    [Fact]
    public async Task Bad_values_are_400_naming_the_field_and_the_server_keeps_serving()
    {
        using var http = fixture.Http();
        (object Body, string Param)[] cases =
        [
            (Body("lora_qv", "x", 8, new { temperature = "hot" }), "temperature"),
            (Body("lora_qv", "x", 0), "max_tokens"),
            (Body("lora_qv", new[] { 1, 99999 }), "prompt"),
            (Body("lora_qv", Array.Empty<int>()), "prompt"),
            (Body("lora_qv", "x", 8, new { n = 0 }), "n"),
            (Body("lora_qv", "x", 8, new { logit_bias = new Dictionary<string, int> { ["5"] = 10 } }), "logit_bias"),
            (Body("lora_qv", "x", 8, new { stream_options = new { include_usage = true } }), "stream_options"),
            (new { prompt = "x" }, "model"),
        ];
        foreach (var (body, param) in cases)
        {
            var (status, error) = await OpenAiServer.PostAsync(http, "/v1/completions", body);
            Assert.True(status == 400, $"{param}: {status} {error}");
            Assert.Equal(param, (string?)error["error"]!["param"]);
        }
        using var notJson = await http.PostAsync("/v1/completions", new StringContent("{not json"));
        Assert.Equal(400, (int)notJson.StatusCode);
        Assert.Contains("not valid JSON", await notJson.Content.ReadAsStringAsync());

        var (ok, _) = await OpenAiServer.PostAsync(http, "/v1/completions", Body("lora_qv", "x", 2));
        Assert.Equal(200, ok);
    }

    [Fact]
    public async Task Models_lists_the_base_then_every_adapter_with_type_version_and_parent()
    {
        using var http = fixture.Http();
        var list = JsonNode.Parse(await http.GetStringAsync("/v1/models"))!;

        var data = list["data"]!.AsArray();
        Assert.Equal(OpenAiServer.BaseModel, (string)data[0]!["id"]!);
        Assert.Null(data[0]!["parent"]);
        foreach (string id in OpenAiServer.AdapterIds)
        {
            var entry = data.Single(m => (string)m!["id"]! == id)!;
            var version = fixture.Server.Model.Registry.Get(id);
            Assert.Equal("model", (string)entry["object"]!);
            Assert.Equal(OpenAiServer.BaseModel, (string)entry["parent"]!);
            Assert.Equal(version.ContentHash, (string)entry["version"]!);
            Assert.Equal(version.Facts.PeftType, (string)entry["peft_type"]!);
            Assert.Equal(version.RegisteredAt.ToUnixTimeSeconds(), (long)entry["created"]!);
        }
        var one = JsonNode.Parse(await http.GetStringAsync("/v1/models/prefix"))!;
        Assert.Equal("PREFIX_TUNING", (string)one["peft_type"]!);
        using var missing = await http.GetAsync("/v1/models/nothing-here");
        Assert.Equal(404, (int)missing.StatusCode);

        var sdk = new OpenAI.Models.OpenAIModelClient(new System.ClientModel.ApiKeyCredential("unused"), fixture.Options());
        var models = (await sdk.GetModelsAsync()).Value;
        Assert.Equal(data.Select(m => (string)m!["id"]!), models.Select(m => m.Id));
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_stream_is_cut_off_and_frees_the_request()
    {
        // Held after the first token: the request cannot finish on its own, only the server acting on the disconnect
        // can retire it early.
        using var events = fixture.Server.EngineHooks.Record();
        using var hold = fixture.Server.EngineHooks.HoldAfterTokens(1, "lora_qv");
        var http = fixture.Http();
        var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
        {
            Content = JsonContent.Create(Body("lora_qv", Requests.Prompt, 240, new { stream = true })),
        }, HttpCompletionOption.ResponseHeadersRead);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.StartsWith("data: ", await reader.ReadLineAsync());
        var sequence = Assert.Single((await hold.Reached).Sequences);

        reader.Dispose();
        response.Dispose();
        http.Dispose();

        await events.WaitFor<SequenceCancelRequested>(c => c.SequenceId == sequence.Id);
        hold.Release();
        var retired = await events.WaitFor<SequenceRetired>(r => r.SequenceId == sequence.Id);
        Assert.Equal(SequenceOutcome.Cancelled, retired.Outcome);
        Assert.Equal(sequence.Generated, retired.Generated);
        Requests.AssertFreed(fixture.Server, "the request retired");
        Assert.Equal(0, fixture.Server.Model.Registry.Get("lora_qv").RequestsInFlight);
    }
}
