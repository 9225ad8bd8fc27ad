using System.Diagnostics.Metrics;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using Peft.Runtime.Engine;
using Peft.Runtime.Storage;
using Peft.Server.Errors;
using Peft.Server.Options;
using Peft.Server.Security;

namespace Peft.Server.Hosting;

/// <summary>
/// Loads the model in the background while Kestrel already answers health checks with NOT_SERVING: load, restore
/// the adapters the manifest lists, warm up, then mark the server ready. A load failure is logged and stops the
/// process. Shutdown (SIGTERM) in two phases: first health turns NOT_SERVING while the listeners stay open and
/// requests are still served for Server:ShutdownDelay (readiness probes and routers take the replica out meanwhile);
/// then new calls are refused and the engine gets Server:DrainTimeout to finish what runs.
/// </summary>
internal sealed class ModelLoader(
    ModelHost host,
    IOptions<ModelOptions> model,
    IOptions<AdapterOptions> adapters,
    IOptions<EngineOptions> engine,
    IOptions<TrainingOptions> training,
    IOptions<ServerOptions> server,
    ContentPaths paths,
    IMeterFactory meters,
    TimeProvider time,
    FileWrites writes,
    EndpointRoles endpoints,
    IHostApplicationLifetime lifetime,
    ILogger<ModelLoader> logger) : BackgroundService, IHostedLifecycleService
{
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStopping.Register(host.MarkDraining);
        if (string.IsNullOrEmpty(server.Value.AdminApiKey)) ServerLog.AdminDisabled(logger);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var options = model.Value;
            ServerLog.LoadingModel(logger, paths.Resolve(options.Path), options.Device, options.Dtype);
            var clock = Stopwatch.StartNew();
            await host.TestHooks.PassAsync(ServingState.Loading, stoppingToken);
            var loaded = await Task.Run(() => LoadedModel.Load(options, adapters.Value, engine.Value, training.Value, paths, meters, time, writes), stoppingToken);
            Observe(loaded);
            host.Loading(loaded);
            if (loaded.Tokenizer is null) ServerLog.NoTokenizer(logger, loaded.Directory);
            ServerLog.ModelLoaded(logger, clock.Elapsed.TotalSeconds, loaded.Model.Config.Architecture, loaded.Model.Config.NumLayers,
                loaded.VocabSize, DescribeWeights(loaded.Model.ResidentBytes), loaded.Tokenizer is null ? "none" : $"{loaded.Tokenizer.VocabSize} tokens");
            await host.TestHooks.PassAsync(ServingState.WarmingUp, stoppingToken);

            foreach (var (id, error) in await loaded.Registry.RestoreAsync(stoppingToken))
                ServerLog.AdapterNotRestored(logger, id, error.Message);
            foreach (string orphan in loaded.Registry.RemovedAtRestore)
                ServerLog.OrphanRemoved(logger, orphan);
            foreach (var job in loaded.Training.Recover())
                ServerLog.TrainingResumed(logger, job.JobId, job.Spec.AdapterId);
            if (options.WarmUp)
            {
                var (tokens, took) = await WarmUp.RunAsync(loaded, stoppingToken);
                ServerLog.WarmedUp(logger, tokens, took.TotalMilliseconds);
            }
            host.MarkReady();
            ServerLog.Ready(logger, endpoints.Describe(EndpointRole.Serving), endpoints.Describe(EndpointRole.Admin), endpoints.Describe(EndpointRole.Metrics));
        }
#pragma warning disable CA1031 // Stopping: see below.
        catch (Exception) when (stoppingToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            // The host is stopping for its own reason (a port in use, a signal), which it reports; a load cut short by
            // that is no second problem to report, nor a stack trace.
            host.MarkStopping();
        }
#pragma warning disable CA1031 // Any load failure stops the server, after saying why.
        catch (Exception e)
#pragma warning restore CA1031
        {
            ServerLog.LoadFailed(logger, e);
            host.MarkFailed(e);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
    }

    private static string DescribeWeights(IReadOnlyDictionary<string, long> bytes) =>
        string.Join(", ", bytes.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value / 1e6:F1} MB"));

    /// <summary>Runs before any hosted service (Kestrel included) stops: the Draining phase, then Stopping (new calls
    /// refused) before Kestrel begins its own stop, which waits for running calls. Cancelling the host's stop token
    /// ends the Draining phase early.</summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        host.MarkDraining();
        var delay = server.Value.ShutdownDelay;
        if (host.State == ServingState.Draining && delay > TimeSpan.Zero)
        {
            ServerLog.NotServing(logger, delay.TotalSeconds);
            try
            {
                await Task.Delay(delay, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Stop was asked to hurry: go on to refusing and draining.
            }
        }
        host.MarkStopping();
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Logs what the runtime reports on its own threads: engine faults and how training jobs end.</summary>
    private void Observe(LoadedModel loaded)
    {
        loaded.Engine.Faulted += error => ServerLog.EngineFaulted(logger, error);
        loaded.Engine.BackgroundFaulted += error => ServerLog.TrainingFaulted(logger, error);
        loaded.Training.JobFinished += job =>
        {
            if (job.State == Runtime.Training.Jobs.TrainingJobState.Succeeded)
                ServerLog.TrainingSucceeded(logger, job.JobId, job.Spec.AdapterId, job.AdapterVersion, job.Progress?.Step, job.Progress?.Loss, job.Progress?.EvalLoss);
            else if (job.State == Runtime.Training.Jobs.TrainingJobState.Failed)
                ServerLog.TrainingFailed(logger, job.JobId, job.Spec.AdapterId, job.Error);
        };
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        host.MarkStopping();
        await base.StopAsync(cancellationToken);
        if (host.Loaded is { } loaded)
        {
            ServerLog.Draining(logger, server.Value.DrainTimeout.TotalSeconds);
            await loaded.Engine.StopAsync(server.Value.DrainTimeout);
        }
    }
}
