using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Peft.Client;
using Peft.Server;
using Peft.Server.Hosting;
using Peft.Runtime.Engine.Testing;
using Peft.Server.Security;

namespace Peft.Testing;

/// <summary>
/// The real host on real Kestrel: serving, admin and metrics endpoints on free loopback ports, a fresh adapter
/// store, the adapter root tests/fixtures/hf, and a small KV cache. Started and awaited until the model is loaded
/// and warmed up. Extra arguments (<c>--Section:Key=value</c>) override the defaults.
/// </summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    public const string AdminKey = "test-admin-key";

    private readonly WebApplication _app;
    private readonly string _store;
    private readonly bool _ownsStore;

    private LoopbackServer(WebApplication app, string store, bool ownsStore)
    {
        _app = app;
        _store = store;
        _ownsStore = ownsStore;
        var roles = app.Services.GetRequiredService<EndpointRoles>();
        Address = roles.Address(EndpointRole.Serving)!;
        AdminAddress = roles.Address(EndpointRole.Admin)!;
        MetricsAddress = roles.Address(EndpointRole.Metrics);
        Channel = GrpcChannel.ForAddress(Address);
        AdminChannel = GrpcChannel.ForAddress(AdminAddress);
    }

    /// <summary>The serving endpoint.</summary>
    public Uri Address { get; }
    public Uri AdminAddress { get; }
    /// <summary>The separate metrics endpoint, when Server:Metrics is Separate.</summary>
    public Uri? MetricsAddress { get; }
    /// <summary>A plain channel to the serving endpoint (no key).</summary>
    public GrpcChannel Channel { get; }
    /// <summary>A plain channel to the admin endpoint (no key).</summary>
    public GrpcChannel AdminChannel { get; }
    public IServiceProvider Services => _app.Services;
    public WebApplication App => _app;
    /// <summary>The server's model, engine and adapter registry, to check what a call left behind.</summary>
    public LoadedModel Model => Services.GetRequiredService<ModelHost>().Loaded!;
    public string StoreDirectory => _store;

    /// <summary>Starts a server on <paramref name="modelDirectory"/> (default: the tiny Llama with a tokenizer).</summary>
    public static Task<LoopbackServer> StartAsync(string? modelDirectory = null, params string[] args) => StartAsync(modelDirectory, args, null);

    /// <summary>Starts a server whose services <paramref name="services"/> may replace (a clock, a full disk).</summary>
    /// <param name="store">The adapter store to use (its jobs directory is <c>{store}-jobs</c>): a fresh one when null.</param>
    public static Task<LoopbackServer> StartAsync(string? modelDirectory, string[] args, Action<IServiceCollection>? services, string? store = null) =>
        StartCoreAsync(modelDirectory, args, services, store, hold: null);

    /// <summary>
    /// Starts a server whose start-up is held as it enters <paramref name="state"/> (Loading or WarmingUp): Kestrel
    /// answers, the model host stays in that state until the returned hold is released.
    /// </summary>
    public static async Task<(LoopbackServer Server, StartupHold Hold)> StartHeldAsync(ServingState state, params string[] args)
    {
        StartupHold? hold = null;
        var server = await StartCoreAsync(null, args, null, null, host => hold = host.TestHooks.HoldAt(state));
        return (server, hold!);
    }

    private static async Task<LoopbackServer> StartCoreAsync(string? modelDirectory, string[] args, Action<IServiceCollection>? services,
        string? store, Func<ModelHost, StartupHold>? hold)
    {
        bool ownsStore = store is null;
        store ??= Fixtures.TempDirectory("peft-store");
        string[] defaults =
        [
            $"--Model:Path={modelDirectory ?? Fixtures.LlamaWithTokenizer}",
            $"--Model:Device={Environment.GetEnvironmentVariable("PEFT_TEST_DEVICE") ?? "cpu"}",
            $"--Adapters:Roots:0={Fixtures.HfRoot}",
            $"--Adapters:StoreDirectory={store}",
            $"--Training:JobsDirectory={store}-jobs",
            "--Server:ServingPort=0",
            "--Server:AdminPort=0",
            "--Server:MetricsPort=0",
            $"--Server:AdminApiKey={AdminKey}",
            "--Server:DrainTimeout=00:00:10",
            "--Engine:KvCacheBytes=8388608",
            "--Engine:LoraSlots=4",
            "--Engine:MaxLoraRank=8",
            "--Logging:LogLevel:Default=Warning",
        ];
        WebApplication? app = null;
        try
        {
            // Build already reads (and so validates) the Server section.
            app = ServerApp.Build([.. defaults, .. args], services);
            var host = app.Services.GetRequiredService<ModelHost>();
            var held = hold?.Invoke(host);
            await app.StartAsync();
            if (held is null) await host.Ready.WaitAsync(Waits.Cap);
            else await held.Reached.WaitAsync(Waits.Cap);
            return new LoopbackServer(app, store, ownsStore);
        }
        catch
        {
            if (app is not null) await app.DisposeAsync();
            if (ownsStore) Fixtures.TryDelete(store);
            throw;
        }
    }

    /// <summary>A client for both endpoints; the admin key is the server's unless given.</summary>
    public PeftClient CreateClient(string? apiKey = null, string? adminKey = AdminKey, int maxAttempts = 1) => new(new PeftClientOptions
    {
        Address = Address,
        AdminAddress = AdminAddress,
        ApiKey = apiKey,
        AdminApiKey = adminKey,
        MaxAttempts = maxAttempts,
        DefaultDeadline = TimeSpan.FromSeconds(60),
    });

    /// <summary>The engine's test hooks: holds of its thread and recordings of request events.</summary>
    public EngineTestHooks EngineHooks => Model.Engine.TestHooks;

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        AdminChannel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (!_ownsStore) return;
        Fixtures.TryDelete(_store);
        Fixtures.TryDelete(_store + "-jobs");
    }
}
