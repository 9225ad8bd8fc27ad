using Peft.Client;
using Peft.Testing;

namespace Peft.Server.Tests.Support;

/// <summary>One loopback server per test class (xunit class fixture); tests in a class run one at a time.</summary>
public abstract class SharedServer : IAsyncLifetime
{
    private LoopbackServer? _server;
    private PeftClient? _client;

    public LoopbackServer Server => _server ?? throw new InvalidOperationException("not started");

    /// <summary>A client with the admin key and no retries.</summary>
    public PeftClient Client => _client ??= Server.CreateClient();

    protected virtual string? ModelDirectory => null;

    protected virtual string[] Arguments => [];

    /// <summary>Adapters registered at start, as (id, path under tests/fixtures/hf).</summary>
    protected virtual (string Id, string Path)[] Adapters => [];

    public async Task InitializeAsync()
    {
        _server = await LoopbackServer.StartAsync(ModelDirectory, Arguments);
        foreach (var (id, path) in Adapters) await Client.LoadAdapterAsync(id, path);
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_server is not null) await _server.DisposeAsync();
    }
}
