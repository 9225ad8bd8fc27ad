using Microsoft.Extensions.Options;
using Peft.Runtime.Adapters.Storage;
using Peft.Server.Errors;
using Peft.Server.Options;

namespace Peft.Server.Hosting;

/// <summary>
/// Keeps this replica's adapters as the store's manifest lists them (AdapterRegistry.SyncAsync), once the server is
/// ready: on every Adapters:StoreSyncInterval tick and whenever the file system reports the manifest changed. A
/// failed sync is logged and retried at the next tick; it never stops the server.
/// </summary>
internal sealed class StoreFollower(ModelHost host, IOptions<AdapterOptions> options, ILogger<StoreFollower> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await host.Ready.WaitAsync(stoppingToken);
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or TaskCanceledException || host.State != ServingState.Ready)
        {
            return;
        }
        var loaded = host.Loaded!;
        var interval = options.Value.StoreSyncInterval;
        using var changed = new SemaphoreSlim(0);
        using var watcher = Watch(Path.GetDirectoryName(loaded.Store.ManifestPath)!, changed);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (interval > TimeSpan.Zero) await changed.WaitAsync(interval, stoppingToken);
                else await changed.WaitAsync(stoppingToken);
                var result = await loaded.Registry.SyncAsync(stoppingToken);
                if (result.Changed.Count > 0) ServerLog.StoreFollowed(logger, string.Join(", ", result.Changed));
                foreach (var (id, error) in result.Failures) ServerLog.StoreAdapterUnusable(logger, id, error.Message);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A sync that fails (the store unreachable for a moment) is retried at the next tick.
            catch (Exception e)
#pragma warning restore CA1031
            {
                ServerLog.StoreAdapterUnusable(logger, "(manifest)", e.Message);
            }
        }
    }

    private static FileSystemWatcher? Watch(string directory, SemaphoreSlim changed)
    {
        try
        {
            var watcher = new FileSystemWatcher(directory, AdapterManifest.FileName)
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size,
            };
            watcher.Created += (_, _) => changed.Release();
            watcher.Changed += (_, _) => changed.Release();
            watcher.Renamed += (_, _) => changed.Release();
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException)
        {
            return null;   // No notices here (or too many watches): the timer alone.
        }
    }
}
