using System.ClientModel;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using OpenAI.Chat;
using Peft.Runtime.Engine.Testing;
using Peft.Server.Tests.Support;
using ChatFinishReason = OpenAI.Chat.ChatFinishReason;

namespace Peft.Server.Tests.OpenAi;

/// <summary>Chat completions through the official OpenAI .NET SDK and Microsoft.Extensions.AI's IChatClient.</summary>
public sealed class OpenAiChatTests(OpenAiServer fixture) : IClassFixture<OpenAiServer>
{
    public static TheoryData<string> Models => [OpenAiServer.BaseModel, .. OpenAiServer.AdapterIds];

    private const string Question = "Hello there";

    /// <summary>What gRPC generates from the rendered conversation: the reference every chat answer must equal.</summary>
    private async Task<Protos.V1.GenerateResponse> ReferenceAsync(string model, int maxTokens, uint? topLogprobs = null)
    {
        var request = Requests.Ids([.. fixture.UserPromptTokens(Question)], (uint)maxTokens, model == OpenAiServer.BaseModel ? "" : model, ignoreEos: false);
        if (topLogprobs is { } top) request.Sampling.TopLogprobs = top;
        return await fixture.Client.GenerateAsync(request);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task Base_and_every_adapter_type_answer_as_model_with_the_grpc_output_of_the_rendered_prompt(string model)
    {
        var reference = await ReferenceAsync(model, 10);
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 10 };

        ChatCompletion completion = await fixture.Chat(model).CompleteChatAsync([new UserChatMessage(Question)], options);

        Assert.Equal(reference.Text, completion.Content[0].Text);
        Assert.Equal(model, completion.Model);
        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
        Assert.Equal(reference.FinishReason == Protos.V1.FinishReason.Length ? ChatFinishReason.Length : ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal((int)reference.Usage.PromptTokens, completion.Usage.InputTokenCount);
        Assert.Equal((int)reference.Usage.CompletionTokens, completion.Usage.OutputTokenCount);
        Assert.Equal(completion.Usage.InputTokenCount + completion.Usage.OutputTokenCount, completion.Usage.TotalTokenCount);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task Streaming_gives_the_same_text_with_usage_in_the_last_update(string model)
    {
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 12 };
        var whole = await fixture.Chat(model).CompleteChatAsync([new UserChatMessage(Question)], options);

        var text = new System.Text.StringBuilder();
        var updates = new List<StreamingChatCompletionUpdate>();
        await foreach (var update in fixture.Chat(model).CompleteChatStreamingAsync([new UserChatMessage(Question)], options))
        {
            updates.Add(update);
            foreach (var part in update.ContentUpdate) text.Append(part.Text);
        }

        Assert.Equal(whole.Value.Content[0].Text, text.ToString());
        Assert.True(updates.Count > 2);
        Assert.Equal(ChatMessageRole.Assistant, updates[0].Role);
        Assert.Equal(whole.Value.FinishReason, updates.Last(u => u.FinishReason is not null).FinishReason);
        Assert.Equal(whole.Value.Usage.OutputTokenCount, updates[^1].Usage.OutputTokenCount);
        Assert.Equal(whole.Value.Usage.InputTokenCount, updates[^1].Usage.InputTokenCount);
    }

    [Fact]
    public async Task Logprobs_come_one_per_token_with_the_asked_alternatives_and_their_bytes()
    {
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 8, IncludeLogProbabilities = true, TopLogProbabilityCount = 3 };

        ChatCompletion completion = await fixture.Chat("lora_all").CompleteChatAsync([new UserChatMessage(Question)], options);

        var logprobs = completion.ContentTokenLogProbabilities;
        Assert.Equal(completion.Usage.OutputTokenCount, logprobs.Count);
        Assert.All(logprobs, l => Assert.Equal(3, l.TopLogProbabilities.Count));
        Assert.All(logprobs, l => Assert.True(l.LogProbability <= 0));
        // Greedy: the chosen token is the most likely one.
        Assert.All(logprobs, l => Assert.Equal(l.TopLogProbabilities[0].LogProbability, l.LogProbability));
        var tokenizer = fixture.Server.Model.Tokenizer!;
        var reference = await ReferenceAsync("lora_all", 8, topLogprobs: 3);
        Assert.Equal(reference.Logprobs.Select(l => l.Text), logprobs.Select(l => l.Token));
        Assert.Equal(reference.TokenIds.Select(id => tokenizer.TokenBytes(id).ToArray()), logprobs.Select(l => l.Utf8Bytes!.Value.ToArray()));
    }

    [Fact]
    public async Task A_stop_sequence_ends_the_answer_before_it()
    {
        var free = await fixture.Chat("prefix").CompleteChatAsync([new UserChatMessage(Question)], new ChatCompletionOptions { MaxOutputTokenCount = 16 });
        string text = free.Value.Content[0].Text;
        Assert.True(text.Length >= 4, $"need text to cut: '{text}'");
        string stop = text.Substring(2, 2);

        var options = new ChatCompletionOptions { MaxOutputTokenCount = 16 };
        options.StopSequences.Add(stop);
        ChatCompletion stopped = await fixture.Chat("prefix").CompleteChatAsync([new UserChatMessage(Question)], options);

        Assert.Equal(text[..text.IndexOf(stop, StringComparison.Ordinal)], stopped.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, stopped.FinishReason);
    }

#pragma warning disable OPENAI001 // Seed is marked experimental in the SDK.
    [Fact]
    public async Task A_seed_repeats_a_sampled_answer_and_another_seed_draws_another()
    {
        ChatCompletionOptions Seeded(long seed) => new() { MaxOutputTokenCount = 16, Temperature = 1.5f, Seed = seed };
        var chat = fixture.Chat("lora_qv");

        var first = await chat.CompleteChatAsync([new UserChatMessage(Question)], Seeded(11));
        var again = await chat.CompleteChatAsync([new UserChatMessage(Question)], Seeded(11));
        var others = await Task.WhenAll(Enumerable.Range(12, 4).Select(s => chat.CompleteChatAsync([new UserChatMessage(Question)], Seeded(s))));

        Assert.Equal(first.Value.Content[0].Text, again.Value.Content[0].Text);
        Assert.Contains(others, o => o.Value.Content[0].Text != first.Value.Content[0].Text);
    }
#pragma warning restore OPENAI001

    [Fact]
    public async Task N_choices_of_a_seeded_request_differ_and_the_first_is_the_single_choice_answer()
    {
        using var http = fixture.Http();
        object Body(int n) => new { model = "ptuning", messages = new[] { new { role = "user", content = Question } }, n, seed = 5, temperature = 1.5, max_tokens = 12 };

        var (status, three) = await OpenAiServer.PostAsync(http, "/v1/chat/completions", Body(3));
        var (_, one) = await OpenAiServer.PostAsync(http, "/v1/chat/completions", Body(1));

        Assert.Equal(200, status);
        var choices = three["choices"]!.AsArray();
        Assert.Equal([0, 1, 2], choices.Select(c => (int)c!["index"]!));
        Assert.Equal(Content(one["choices"]![0]!), Content(choices[0]!));
        Assert.True(choices.Select(Content).Distinct().Count() > 1, "seeds 5, 6, 7 should not all draw the same answer");
        int completionTokens = (int)three["usage"]!["completion_tokens"]!;
        Assert.Equal((int)one["usage"]!["prompt_tokens"]!, (int)three["usage"]!["prompt_tokens"]!);
        Assert.True(completionTokens > (int)one["usage"]!["completion_tokens"]!);

        static string Content(JsonNode? choice) => (string)choice!["message"]!["content"]!;
    }

    [Fact]
    public async Task Concurrent_chats_for_different_adapters_are_batched_and_each_equals_its_solo_answer()
    {
        var models = (string[])[OpenAiServer.BaseModel, .. OpenAiServer.AdapterIds, .. OpenAiServer.AdapterIds];
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 16 };
        var solo = new Dictionary<string, string>();
        foreach (string model in models.Distinct())
            solo[model] = (await fixture.Chat(model).CompleteChatAsync([new UserChatMessage(Question)], options)).Value.Content[0].Text;
        long stepsBefore = fixture.Server.Model.Engine.Stats.Preemptions;

        var together = await Task.WhenAll(models.Select(async m => (Model: m,
            Text: (await fixture.Chat(m).CompleteChatAsync([new UserChatMessage(Question)], options)).Value.Content[0].Text)));

        Assert.All(together, r => Assert.Equal(solo[r.Model], r.Text));
        Assert.Equal(stepsBefore, fixture.Server.Model.Engine.Stats.Preemptions);
    }

    [Fact]
    public async Task Microsoft_extensions_ai_chat_client_answers_whole_and_streamed()
    {
        IChatClient client = fixture.Chat("lora_all").AsIChatClient();
        var options = new ChatOptions { MaxOutputTokens = 10 };
        var reference = await ReferenceAsync("lora_all", 10);

        var response = await client.GetResponseAsync(Question, options);
        var streamed = new System.Text.StringBuilder();
        await foreach (var update in client.GetStreamingResponseAsync(Question, options)) streamed.Append(update.Text);

        Assert.Equal(reference.Text, response.Text);
        Assert.Equal(reference.Text, streamed.ToString());
        Assert.Equal((long)reference.Usage.CompletionTokens, response.Usage!.OutputTokenCount);
    }

    [Fact]
    public async Task Errors_come_with_the_status_an_openai_client_expects()
    {
        using var events = fixture.Server.EngineHooks.Record();
        var unknown = await Assert.ThrowsAsync<ClientResultException>(() => fixture.Chat("no-such-model").CompleteChatAsync([new UserChatMessage(Question)]));
        Assert.Equal(404, unknown.Status);
        Assert.Contains("no-such-model", unknown.Message);

        var hot = await Assert.ThrowsAsync<ClientResultException>(() =>
            fixture.Chat("lora_qv").CompleteChatAsync([new UserChatMessage(Question)], new ChatCompletionOptions { Temperature = 1000 }));
        Assert.Equal(400, hot.Status);
        Assert.Contains("temperature", hot.Message);

        using var http = fixture.Http();
        var (status, body) = await OpenAiServer.PostAsync(http, "/v1/chat/completions", new { model = "prompt", messages = Array.Empty<object>() });
        Assert.Equal(400, status);
        Assert.Equal("invalid_request_error", (string)body["error"]!["type"]!);
        Assert.Equal("messages", (string)body["error"]!["param"]!);
        var (toolChoice, _) = await OpenAiServer.PostAsync(http, "/v1/chat/completions",
            new { model = "prompt", messages = new[] { new { role = "user", content = "x" } }, tool_choice = "required" });
        Assert.Equal(400, toolChoice);
        // Each was refused before the engine: none of them holds anything there.
        Assert.DoesNotContain(events.Events, e => e is SequenceSubmitted);
    }
}
