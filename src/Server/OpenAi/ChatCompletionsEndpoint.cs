using System.Text.Json;
using Peft.Runtime.Engine;
using Peft.Server.Hosting;

namespace Peft.Server.OpenAi;

/// <summary>POST /v1/chat/completions: the conversation through the model's chat template, n choices, whole or streamed.</summary>
internal sealed class ChatCompletionsEndpoint(ModelHost host, ServedModels served, TimeProvider time)
{
    public const string Api = "POST /v1/chat/completions";

    public async Task HandleAsync(HttpContext http)
    {
        var model = host.Require();
        var request = ChatRequest.Parse(await JsonRequest.ReadAsync(http.Request, http.RequestAborted), model, served);
        var header = ResponseHeader.New("chatcmpl", request.Model, time);
        using var choices = ChoiceSet.Start(request.Choices(model, header.Id, http.RequestAborted), model, Api, http.RequestAborted);
        if (request.Options.Stream) await StreamAsync(http, request, header, choices, model);
        else await WholeAsync(http, request, header, choices, model);
    }

    private static async Task WholeAsync(HttpContext http, ChatRequest request, ResponseHeader header, ChoiceSet choices, LoadedModel model)
    {
        var results = await ChoiceResult.GatherAsync(choices, http.RequestAborted);
        http.Response.ContentType = "application/json";
        await using (var json = new Utf8JsonWriter(http.Response.BodyWriter, JsonOutput.Options))
        {
            json.WriteStartObject();
            header.Write(json, "chat.completion");
            json.WriteStartArray("choices");
            for (int i = 0; i < results.Length; i++)
            {
                json.WriteStartObject();
                json.WriteNumber("index", i);
                json.WriteStartObject("message");
                json.WriteString("role", "assistant");
                json.WriteString("content", results[i].Text);
                json.WriteNull("refusal");
                json.WriteEndObject();
                if (request.Logprobs) LogprobsJson.WriteChat(json, results[i].Logprobs, model);
                else json.WriteNull("logprobs");
                json.WriteString("finish_reason", Finishes.Reason(results[i].Finish!.Reason));
                json.WriteEndObject();
            }
            json.WriteEndArray();
            Finishes.Usage.Of([.. results.Select(r => r.Finish)], request.Options.N).Write(json);
            json.WriteEndObject();
        }
        await http.Response.BodyWriter.FlushAsync(http.RequestAborted);
    }

    private static async Task StreamAsync(HttpContext http, ChatRequest request, ResponseHeader header, ChoiceSet choices, LoadedModel model)
    {
        var aborted = http.RequestAborted;
        await using var sse = await Sse.StartAsync(http.Response, aborted);
        var finishes = new GenerationFinished?[choices.Count];
        // OpenAI opens each choice with the assistant's role and no content yet.
        for (int i = 0; i < choices.Count; i++)
            await sse.WriteAsync(new Chunk(header, request, new ChoiceEvent(i, null, null), model, First: true), WriteChunk, aborted);
        await foreach (var e in choices.EventsAsync(aborted))
        {
            await sse.WriteAsync(new Chunk(header, request, e, model, First: false), WriteChunk, aborted);
            if (e.Finish is { } finish) finishes[e.Index] = finish;
        }
        if (request.Options.IncludeUsage)
            await sse.WriteAsync((header, "chat.completion.chunk", Finishes.Usage.Of(finishes, request.Options.N)), Finishes.WriteUsageChunk, aborted);
        await sse.DoneAsync(aborted);
    }

    private readonly record struct Chunk(ResponseHeader Header, ChatRequest Request, ChoiceEvent Event, LoadedModel Model, bool First);

    private static void WriteChunk(Utf8JsonWriter json, Chunk chunk)
    {
        var e = chunk.Event;
        json.WriteStartObject();
        chunk.Header.Write(json, "chat.completion.chunk");
        json.WriteStartArray("choices");
        json.WriteStartObject();
        json.WriteNumber("index", e.Index);
        json.WriteStartObject("delta");
        if (chunk.First)
        {
            json.WriteString("role", "assistant");
            json.WriteString("content", "");
        }
        else if (e.Tokens is { } tokens)
        {
            json.WriteString("content", tokens.Text);
        }
        json.WriteEndObject();
        if (chunk.Request.Logprobs && e.Tokens?.Logprobs is { } logprobs) LogprobsJson.WriteChat(json, logprobs, chunk.Model);
        else json.WriteNull("logprobs");
        if (e.Finish is { } finish) json.WriteString("finish_reason", Finishes.Reason(finish.Reason));
        else json.WriteNull("finish_reason");
        json.WriteEndObject();
        json.WriteEndArray();
        if (chunk.Request.Options.IncludeUsage) json.WriteNull("usage");
        json.WriteEndObject();
    }
}
