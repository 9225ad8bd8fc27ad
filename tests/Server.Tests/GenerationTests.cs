using Peft.Protos.V1;
using Peft.Server.Tests.Support;
using Peft.Testing;

namespace Peft.Server.Tests;

public sealed class GenerationServer : SharedServer
{
    protected override (string Id, string Path)[] Adapters =>
    [
        ("lora_qv", "llama/adapters/lora_qv"),
        ("lora_all", "llama/adapters/lora_all"),
        ("prefix", "llama/adapters/prefix"),
        ("prompt", "llama/adapters/prompt"),
        ("ptuning", "llama/adapters/ptuning"),
    ];
}

/// <summary>Generate and GenerateStream over real gRPC, with the base model and an adapter of every type.</summary>
public sealed class GenerationTests(GenerationServer fixture) : IClassFixture<GenerationServer>
{
    public static TheoryData<string> Adapters => ["", "lora_qv", "lora_all", "prefix", "prompt", "ptuning"];

    [Theory]
    [MemberData(nameof(Adapters))]
    public async Task Unary_and_stream_give_the_same_tokens_with_usage_and_the_adapter_version(string adapter)
    {
        var unary = await fixture.Client.GenerateAsync(Requests.Ids(maxNewTokens: 12, adapter: adapter));
        var (chunks, streamed) = await Requests.CollectAsync(fixture.Client.GenerateStreamAsync(Requests.Ids(maxNewTokens: 12, adapter: adapter)));

        Assert.Equal(12, unary.TokenIds.Count);
        Assert.Equal(unary.TokenIds, streamed.TokenIds);
        Assert.Equal(FinishReason.Length, unary.FinishReason);
        Assert.Equal(FinishReason.Length, streamed.FinishReason);
        Assert.Equal((uint)Requests.Prompt.Length, unary.Usage.PromptTokens);
        Assert.Equal(12u, unary.Usage.CompletionTokens);
        Assert.Equal(unary.Usage, streamed.Usage);

        string version = adapter.Length == 0 ? "" : fixture.Server.Model.Registry.Get(adapter).ContentHash;
        Assert.Equal(version, unary.AdapterVersion);
        Assert.Equal(adapter, unary.AdapterId);
        Assert.Equal(version, chunks[0].AdapterVersion);
        Assert.Equal(adapter, chunks[0].AdapterId);
        Assert.All(chunks.Skip(1), c => Assert.Equal("", c.AdapterVersion));
        Assert.All(chunks.SkipLast(1), c => Assert.Equal(FinishReason.Unspecified, c.FinishReason));
        Assert.All(chunks.SkipLast(1), c => Assert.Null(c.Usage));
        Assert.NotNull(chunks[^1].Usage);
    }

    [Fact]
    public async Task Every_adapter_type_changes_the_output_of_the_base_model()
    {
        var outputs = new Dictionary<string, string>();
        foreach (string adapter in new[] { "", "lora_qv", "lora_all", "prefix", "prompt", "ptuning" })
        {
            var response = await fixture.Client.GenerateAsync(Requests.Ids(maxNewTokens: 16, adapter: adapter));
            outputs[adapter] = string.Join(',', response.TokenIds);
        }
        Assert.All(outputs.Where(o => o.Key != ""), o => Assert.NotEqual(outputs[""], o.Value));
    }

    [Fact]
    public async Task A_text_prompt_streams_text_that_matches_the_unary_text_and_the_tokens()
    {
        var request = Requests.Text("Once upon a time", maxNewTokens: 24);
        var unary = await fixture.Client.GenerateAsync(request);
        var (chunks, streamed) = await Requests.CollectAsync(fixture.Client.GenerateStreamAsync(request));

        Assert.Equal(unary.Text, streamed.Text);
        Assert.Equal(unary.TokenIds, streamed.TokenIds);
        Assert.Equal(fixture.Server.Model.Tokenizer!.Decode(unary.TokenIds), unary.Text);
        Assert.Equal((uint)fixture.Server.Model.Tokenizer.Encode("Once upon a time").Count, unary.Usage.PromptTokens);
        Assert.True(chunks.Count > 1);
    }

    [Fact]
    public async Task A_stop_string_ends_the_text_before_it()
    {
        var free = await fixture.Client.GenerateAsync(Requests.Text("Hello", maxNewTokens: 32));
        Assert.True(free.Text.Length >= 4, $"need some text to cut: '{free.Text}'");
        string stop = free.Text.Substring(free.Text.Length / 2, 2);
        int expectedEnd = free.Text.IndexOf(stop, StringComparison.Ordinal);

        var request = Requests.Text("Hello", maxNewTokens: 32);
        request.Sampling.Stop.Add(stop);
        var (_, streamed) = await Requests.CollectAsync(fixture.Client.GenerateStreamAsync(request));

        Assert.Equal(FinishReason.StopString, streamed.FinishReason);
        Assert.Equal(free.Text[..expectedEnd], streamed.Text);
    }

    [Fact]
    public async Task A_stop_token_ends_generation_on_that_token()
    {
        var free = await fixture.Client.GenerateAsync(Requests.Ids(maxNewTokens: 10));
        var request = Requests.Ids(maxNewTokens: 10);
        request.Sampling.StopTokenIds.Add(free.TokenIds[3]);

        var response = await fixture.Client.GenerateAsync(request);

        Assert.Equal(FinishReason.StopToken, response.FinishReason);
        Assert.Equal(free.TokenIds[3], response.TokenIds[^1]);
        Assert.True(response.TokenIds.Count <= 4);
    }

    [Fact]
    public async Task Logprobs_come_one_per_token_with_the_asked_alternatives_and_text()
    {
        var request = Requests.Text("The cat", maxNewTokens: 6);
        request.Sampling.TopLogprobs = 3;

        var (_, streamed) = await Requests.CollectAsync(fixture.Client.GenerateStreamAsync(request));

        Assert.Equal(6, streamed.Logprobs.Count);
        for (int i = 0; i < 6; i++)
        {
            var entry = streamed.Logprobs[i];
            Assert.Equal(streamed.TokenIds[i], entry.TokenId);
            Assert.Equal(3, entry.Top.Count);
            Assert.True(entry.Logprob <= 0);
            // Greedy: the chosen token is the most likely one.
            Assert.Equal(entry.Top[0].TokenId, entry.TokenId);
            Assert.Equal(fixture.Server.Model.Tokenizer!.TokenText(entry.TokenId), entry.Text);
        }
    }

    [Fact]
    public async Task Seeded_sampling_repeats_and_concurrent_requests_of_different_adapters_match_their_solo_runs()
    {
        string[] adapters = ["", "lora_qv", "prefix", "prompt", "ptuning", "lora_all"];
        var solo = new List<string>();
        foreach (string adapter in adapters) solo.Add(string.Join(',', (await fixture.Client.GenerateAsync(Seeded(adapter))).TokenIds));

        var together = await Task.WhenAll(adapters.Select(async a => string.Join(',', (await fixture.Client.GenerateAsync(Seeded(a))).TokenIds)));

        Assert.Equal(solo, together);

        static GenerateRequest Seeded(string adapter)
        {
            var request = Requests.Ids(maxNewTokens: 16, adapter: adapter);
            request.Sampling.Temperature = 0.9f;
            request.Sampling.TopP = 0.95f;
            request.Sampling.Seed = 1234;
            return request;
        }
    }

    [Fact]
    public async Task A_request_is_traced_with_queue_prefill_and_decode_spans_under_its_generate_span()
    {
        var spans = new System.Collections.Concurrent.ConcurrentBag<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == "Peft.Runtime",
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        var request = Requests.Ids(maxNewTokens: 5, adapter: "prompt");
        request.RequestId = $"trace-{Guid.NewGuid():N}";

        await Requests.CollectAsync(fixture.Client.GenerateStreamAsync(request));

        var generate = spans.Single(s => s.OperationName == "peft.generate" && (string?)s.GetTagItem("peft.request_id") == request.RequestId);
        Assert.Equal("prompt", generate.GetTagItem("peft.adapter_id"));
        Assert.Equal(fixture.Server.Model.Registry.Get("prompt").ContentHash, generate.GetTagItem("peft.adapter_version"));
        Assert.Equal(5, generate.GetTagItem("peft.completion_tokens"));
        Assert.Equal("Length", generate.GetTagItem("peft.finish_reason"));
        var children = spans.Where(s => s.ParentSpanId == generate.SpanId).OrderBy(s => s.StartTimeUtc).ToList();
        Assert.Equal(["peft.queue", "peft.prefill", "peft.decode"], children.Select(s => s.OperationName));
        // One after another, inside the request's span.
        Assert.True(children[0].StartTimeUtc >= generate.StartTimeUtc);
        for (int i = 1; i < children.Count; i++)
            Assert.True(children[i].StartTimeUtc >= children[i - 1].StartTimeUtc + children[i - 1].Duration - TimeSpan.FromMilliseconds(1),
                $"{children[i].OperationName} starts before {children[i - 1].OperationName} ends");
    }

    [Fact]
    public async Task The_metrics_endpoint_exports_the_engine_meter_in_prometheus_format()
    {
        await fixture.Client.GenerateAsync(Requests.Ids(maxNewTokens: 4, adapter: "lora_qv"));
        using var http = new HttpClient();

        string text = await http.GetStringAsync(new Uri(fixture.Server.MetricsAddress!, "/metrics"));

        Assert.Contains("peft_requests", text);
        Assert.Contains("peft_tokens_completion", text);
        Assert.Contains("adapter=\"lora_qv\"", text);
        Assert.Contains("peft_time_to_first_token", text);
        // What the process holds, and the stores it should be compared with.
        foreach (string part in new[] { "weights", "kv_cache", "lora_slots", "adapter_host" })
            Assert.Contains($"peft_memory_bytes{{otel_scope_name=\"Peft.Runtime\",part=\"{part}\"}}", text);
        Assert.Contains("dotnet_process_memory_working_set_bytes", text);
        Assert.Contains("peft_model_weights", text);
        Assert.Contains("dtype=\"float32\"", text);
    }

    [Fact]
    public async Task Streamed_text_of_multi_byte_characters_joins_to_the_decoded_tokens()
    {
        var request = Requests.Text("é ü ß 日本", maxNewTokens: 40);
        var (chunks, streamed) = await Requests.CollectAsync(fixture.Client.GenerateStreamAsync(request));

        Assert.Equal(fixture.Server.Model.Tokenizer!.Decode(streamed.TokenIds), string.Concat(chunks.Select(c => c.Text)));
        Assert.Equal(40, streamed.TokenIds.Count);
    }
}
