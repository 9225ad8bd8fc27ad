using System.Buffers;
using System.Text.Json;
using Peft.Server.Errors;

namespace Peft.Server.OpenAi;

/// <summary>
/// Server-sent events as OpenAI streams them: each event one <c>data: {json}</c> line and a blank line, flushed at
/// once; the stream ends with <c>data: [DONE]</c>. One writer per response.
/// </summary>
internal sealed class Sse : IAsyncDisposable
{
    public const string ContentType = "text/event-stream";

    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    private readonly HttpResponse _response;
    private readonly Utf8JsonWriter _json;

    private Sse(HttpResponse response)
    {
        _response = response;
        _json = new Utf8JsonWriter(response.BodyWriter, JsonOutput.Options);
    }

    /// <summary>Sends the headers of an event stream (status 200).</summary>
    public static async Task<Sse> StartAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.StartAsync(cancellationToken);
        return new Sse(response);
    }

    /// <summary>One event, written by <paramref name="write"/> as a JSON value, and flushed.</summary>
    public async ValueTask WriteAsync<TState>(TState state, Action<Utf8JsonWriter, TState> write, CancellationToken cancellationToken)
    {
        _response.BodyWriter.Write(DataPrefix.AsSpan());
        _json.Reset(_response.BodyWriter);
        write(_json, state);
        _json.Flush();
        _response.BodyWriter.Write(EventEnd.AsSpan());
        await _response.BodyWriter.FlushAsync(cancellationToken);
    }

    public async ValueTask DoneAsync(CancellationToken cancellationToken)
    {
        _response.BodyWriter.Write(Done.AsSpan());
        await _response.BodyWriter.FlushAsync(cancellationToken);
    }

    /// <summary>An error after the stream began: an event holding OpenAI's error body, then <c>[DONE]</c>.</summary>
    public static async Task WriteErrorAsync(HttpResponse response, ApiException error, CancellationToken cancellationToken)
    {
        await using var sse = new Sse(response);
        await sse.WriteAsync(error, ErrorBody.Write, cancellationToken);
        await sse.DoneAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => _json.DisposeAsync();
}
