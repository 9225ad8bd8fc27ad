using Grpc.Core;
using Peft.Protos.V1;
using Peft.Testing;

namespace Peft.Server.Tests.Support;

/// <summary>Request builders and status assertions shared by the end-to-end tests.</summary>
internal static class Requests
{
    /// <summary>A prompt of token ids (all inside the tiny Llama's vocabulary of 384).</summary>
    public static readonly int[] Prompt = [1, 17, 42, 99, 7, 250, 3];

    public static GenerateRequest Ids(int[]? ids = null, uint maxNewTokens = 8, string adapter = "", bool ignoreEos = true)
    {
        var request = new GenerateRequest
        {
            AdapterId = adapter,
            TokenIds = new TokenIds(),
            Sampling = new SamplingParams { MaxNewTokens = maxNewTokens, IgnoreEos = ignoreEos },
        };
        request.TokenIds.Ids.Add(ids ?? Prompt);
        return request;
    }

    public static GenerateRequest Text(string text, uint maxNewTokens = 8, string adapter = "") => new()
    {
        AdapterId = adapter,
        Text = text,
        Sampling = new SamplingParams { MaxNewTokens = maxNewTokens, IgnoreEos = true },
    };

    /// <summary>Awaits <paramref name="call"/>, asserts it failed with <paramref name="code"/>, returns the status detail.</summary>
    public static async Task<string> Fails(StatusCode code, Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<RpcException>(call);
        Assert.True(error.StatusCode == code, $"expected {code}, got {error.StatusCode}: {error.Status.Detail}");
        return error.Status.Detail;
    }

    /// <summary>
    /// Asserts no request holds KV blocks or a running place. Read at once, never polled: the engine releases a
    /// request's resources before it completes the request's stream (or records it retired).
    /// </summary>
    public static void AssertFreed(LoopbackServer server, string after)
    {
        var stats = server.Model.Engine.Stats;
        Assert.True(stats.KvBlocksUsed == 0 && stats.Running == 0, $"resources still held after {after}: {stats}");
    }

    /// <summary>Reads a whole stream into (chunks, concatenated response).</summary>
    public static async Task<(List<GenerateChunk> Chunks, GenerateResponse Whole)> CollectAsync(IAsyncEnumerable<GenerateChunk> stream)
    {
        var chunks = new List<GenerateChunk>();
        var whole = new GenerateResponse();
        await foreach (var chunk in stream)
        {
            chunks.Add(chunk);
            if (chunk.AdapterVersion.Length > 0) whole.AdapterVersion = chunk.AdapterVersion;
            if (chunk.AdapterId.Length > 0) whole.AdapterId = chunk.AdapterId;
            whole.Text += chunk.Text;
            whole.TokenIds.Add(chunk.TokenIds);
            whole.Logprobs.Add(chunk.Logprobs);
            if (chunk.FinishReason != FinishReason.Unspecified) whole.FinishReason = chunk.FinishReason;
            if (chunk.Usage is not null) whole.Usage = chunk.Usage;
        }
        return (chunks, whole);
    }
}
