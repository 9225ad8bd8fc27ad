using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace Peft.Server.Security;

/// <summary>
/// Lets one cleartext endpoint speak HTTP/2 (gRPC clients, which use prior knowledge) and HTTP/1.1 (OpenAI clients,
/// curl, health probes). Without TLS there is no ALPN, and Kestrel (.NET 10) then serves only HTTP/1.1 on an
/// endpoint set to both. So the public endpoint is HTTP/1.1, and this connection middleware in front of it reads the
/// first bytes: when they are HTTP/2's connection preface (RFC 9113 §3.4) the connection is handed to the HTTP
/// server pipeline of a second, HTTP/2-only endpoint (<see cref="Http2Pipeline"/>) instead. Nothing is consumed: the
/// chosen protocol reads the same bytes again. A connection that sends nothing for the timeout is closed, as
/// Kestrel's own request-headers timeout would.
/// </summary>
internal static class CleartextProtocolDetection
{
    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    public static Func<ConnectionDelegate, ConnectionDelegate> Middleware(Http2Pipeline http2, TimeSpan timeout) =>
        next => connection => DetectAsync(connection, next, http2, timeout);

    private static async Task DetectAsync(ConnectionContext connection, ConnectionDelegate http1, Http2Pipeline http2, TimeSpan timeout)
    {
        var input = connection.Transport.Input;
        bool? isHttp2;
        using (var idle = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed))
        {
            idle.CancelAfter(timeout);
            isHttp2 = await ReadPrefaceAsync(input, idle.Token);
        }
        if (isHttp2 is null)
        {
            connection.Abort(new ConnectionAbortedException("no request arrived on the connection"));
            return;
        }
        await (isHttp2.Value ? http2.ServeAsync(connection) : http1(connection));
    }

    /// <summary>True for HTTP/2's preface, false for anything else, null when the connection closed or stayed silent.</summary>
    private static async Task<bool?> ReadPrefaceAsync(PipeReader input, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
            var buffer = result.Buffer;
            if (Decide(buffer) is { } decided)
            {
                // Nothing consumed or examined: the protocol's first read gets these bytes at once.
                input.AdvanceTo(buffer.Start);
                return decided;
            }
            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted || result.IsCanceled) return null;
        }
    }

    /// <summary>Null while the bytes so far are a proper prefix of the preface.</summary>
    internal static bool? Decide(ReadOnlySequence<byte> received)
    {
        int length = (int)Math.Min(received.Length, Preface.Length);
        Span<byte> head = stackalloc byte[Preface.Length];
        received.Slice(0, length).CopyTo(head);
        if (!head[..length].SequenceEqual(Preface.AsSpan(0, length))) return false;
        return length == Preface.Length ? true : null;
    }
}
