using Peft.Testing;

namespace Peft.Clients.Tests;

/// <summary>One loopback server (tiny Llama with a tokenizer) for the CLI tests of a class.</summary>
public sealed class CliServer : IAsyncLifetime
{
    private LoopbackServer? _server;

    public LoopbackServer Server => _server ?? throw new InvalidOperationException("not started");

    /// <summary>The connection options every command gets: both addresses and the admin key.</summary>
    public string[] Connection =>
        ["--address", Server.Address.ToString(), "--admin-address", Server.AdminAddress.ToString(), "--admin-key", LoopbackServer.AdminKey];

    public async Task InitializeAsync() => _server = await LoopbackServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}
