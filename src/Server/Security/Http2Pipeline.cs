using Microsoft.AspNetCore.Connections;

namespace Peft.Server.Security;

/// <summary>
/// Kestrel's HTTP server pipeline of an HTTP/2-only endpoint, captured so that <see cref="CleartextProtocolDetection"/>
/// can serve an HTTP/2 connection that arrived on a cleartext HTTP/1.1 endpoint. The capturing endpoint itself is a
/// loopback port nobody is told about; connections that reach it directly are closed.
/// </summary>
internal sealed class Http2Pipeline
{
    private volatile ConnectionDelegate? _serve;

    /// <summary>Connection middleware for the HTTP/2-only endpoint: keeps the pipeline behind it.</summary>
    public ConnectionDelegate Capture(ConnectionDelegate next)
    {
        _serve = next;
        return connection =>
        {
            connection.Abort(new ConnectionAbortedException("this port only carries connections handed over from the public endpoint"));
            return Task.CompletedTask;
        };
    }

    public Task ServeAsync(ConnectionContext connection)
    {
        if (_serve is { } serve) return serve(connection);
        // Kestrel binds the capturing endpoint before the public one; this is a guard, not a path.
        connection.Abort(new ConnectionAbortedException("the HTTP/2 pipeline is not ready"));
        return Task.CompletedTask;
    }
}
