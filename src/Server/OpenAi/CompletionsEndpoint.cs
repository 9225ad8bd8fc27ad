using System.Text.Json;
using Peft.Runtime.Engine;
using Peft.Server.Hosting;

namespace Peft.Server.OpenAi;

/// <summary>POST /v1/completions: one engine request per prompt and choice, answered whole or as server-sent events.</summary>
internal sealed class CompletionsEndpoint(ModelHost host, ServedModels served, TimeProvider time)
{
    public const string Api = "POST /v1/completions";
    private const string ObjectType = "text_completion";

    public async Task HandleAsync(HttpContext http)
    {
        var model = host.Require();
        var request = CompletionRequest.Parse(await JsonRequest.ReadAsync(http.Request, http.RequestAborted), model, served);
        var header = ResponseHeader.New("cmpl", request.Model, time);
        using var choices = ChoiceSet.Start(request.Choices(model, header.Id, http.RequestAborted), model, Api, http.RequestAborted);
        if (request.Options.Stream) await StreamAsync(http, request, header, choices, model);
        else await WholeAsync(http, request, header, choices, model);
    }

    private static async Task WholeAsync(HttpContext http, CompletionRequest request, ResponseHeader header, ChoiceSet choices, LoadedModel model)
    {
        var results = await ChoiceResult.GatherAsync(choices, http.RequestAborted);
        http.Response.ContentType = "application/json";
        await using (var json = new Utf8JsonWriter(http.Response.BodyWriter, JsonOutput.Options))
        {
            json.WriteStartObject();
            header.Write(json, ObjectType);
            json.WriteStartArray("choices");
            for (int i = 0; i < results.Length; i++)
            {
                var result = results[i];
                string echo = request.Echo ? CompletionRequest.EchoText(request.Prompts[i / request.Options.N], model) : "";
                json.WriteStartObject();
                json.WriteNumber("index", i);
                json.WriteString("text", echo + result.Text);
                if (request.Logprobs is null) json.WriteNull("logprobs");
                else LogprobsJson.WriteCompletion(json, result.Logprobs, model, echo.Length);
                json.WriteString("finish_reason", Finishes.Reason(result.Finish!.Reason));
                json.WriteEndObject();
            }
            json.WriteEndArray();
            Finishes.Usage.Of([.. results.Select(r => r.Finish)], request.Options.N).Write(json);
            json.WriteEndObject();
        }
        await http.Response.BodyWriter.FlushAsync(http.RequestAborted);
    }

    private static async Task StreamAsync(HttpContext http, CompletionRequest request, ResponseHeader header, ChoiceSet choices, LoadedModel model)
    {
        var aborted = http.RequestAborted;
        await using var sse = await Sse.StartAsync(http.Response, aborted);
        var offsets = new int[choices.Count];
        var finishes = new GenerationFinished?[choices.Count];
        if (request.Echo)
            for (int i = 0; i < choices.Count; i++)
            {
                string echo = CompletionRequest.EchoText(request.Prompts[i / request.Options.N], model);
                offsets[i] = echo.Length;
                await sse.WriteAsync(new Chunk(header, request, new ChoiceEvent(i, new TokensGenerated([], echo, null), null), 0, model), WriteChunk, aborted);
            }
        await foreach (var e in choices.EventsAsync(aborted))
        {
            await sse.WriteAsync(new Chunk(header, request, e, offsets[e.Index], model), WriteChunk, aborted);
            if (e.Tokens?.Logprobs is { } logprobs) offsets[e.Index] += logprobs.Sum(c => model.Decoder.TokenText(c.TokenId).Length);
            if (e.Finish is { } finish) finishes[e.Index] = finish;
        }
        if (request.Options.IncludeUsage)
            await sse.WriteAsync((header, ObjectType, Finishes.Usage.Of(finishes, request.Options.N)), Finishes.WriteUsageChunk, aborted);
        await sse.DoneAsync(aborted);
    }

    private readonly record struct Chunk(ResponseHeader Header, CompletionRequest Request, ChoiceEvent Event, int Offset, LoadedModel Model);

    private static void WriteChunk(Utf8JsonWriter json, Chunk chunk)
    {
        var e = chunk.Event;
        json.WriteStartObject();
        chunk.Header.Write(json, ObjectType);
        json.WriteStartArray("choices");
        json.WriteStartObject();
        json.WriteNumber("index", e.Index);
        json.WriteString("text", e.Tokens?.Text ?? "");
        if (chunk.Request.Logprobs is null || e.Tokens?.Logprobs is not { } logprobs) json.WriteNull("logprobs");
        else LogprobsJson.WriteCompletion(json, logprobs, chunk.Model, chunk.Offset);
        if (e.Finish is { } finish) json.WriteString("finish_reason", Finishes.Reason(finish.Reason));
        else json.WriteNull("finish_reason");
        json.WriteEndObject();
        json.WriteEndArray();
        if (chunk.Request.Options.IncludeUsage) json.WriteNull("usage");
        json.WriteEndObject();
    }
}
