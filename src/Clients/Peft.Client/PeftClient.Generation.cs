using System.Runtime.CompilerServices;
using Grpc.Core;
using Peft.Protos.V1;

namespace Peft.Client;

public sealed partial class PeftClient
{
    /// <summary>Runs one request to completion. <paramref name="timeout"/> (default
    /// <see cref="PeftClientOptions.DefaultDeadline"/>) becomes the call's deadline.</summary>
    /// <exception cref="RpcException">The server refused or failed the request; the status says why.</exception>
    public async Task<GenerateResponse> GenerateAsync(GenerateRequest request, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var client = new Generation.GenerationClient(_serving);
        return await client.GenerateAsync(request, deadline: Deadline(timeout), cancellationToken: cancellationToken);
    }

    /// <summary>
    /// Runs one request and yields its chunks as the server produces them: the first carries the adapter version,
    /// the last the finish reason and usage. Stopping the enumeration early (or cancelling) cancels the call, which
    /// stops the request on the server within one engine step.
    /// </summary>
    /// <exception cref="RpcException">The server refused or failed the request, or the deadline passed.</exception>
    public async IAsyncEnumerable<GenerateChunk> GenerateStreamAsync(GenerateRequest request, TimeSpan? timeout = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var client = new Generation.GenerationClient(_serving);
        using var call = client.GenerateStream(request, deadline: Deadline(timeout), cancellationToken: cancellationToken);
        await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellationToken))
            yield return chunk;
    }
}
