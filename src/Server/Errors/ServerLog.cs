namespace Peft.Server.Errors;

/// <summary>The server's log messages, source-generated, with stable event ids (1xxx host, 2xxx calls, 3xxx adapters).</summary>
internal static partial class ServerLog
{
    [LoggerMessage(1000, LogLevel.Information, "Loading model {Path} on {Device} as {Dtype}")]
    public static partial void LoadingModel(ILogger logger, string path, string device, string dtype);

    [LoggerMessage(1001, LogLevel.Information, "Model loaded in {Seconds:F1} s: {Architecture}, {Layers} layers, vocabulary {Vocabulary}; weights {Weights}; tokenizer: {Tokenizer}")]
    public static partial void ModelLoaded(ILogger logger, double seconds, string architecture, int layers, int vocabulary, string weights, string tokenizer);

    [LoggerMessage(1002, LogLevel.Warning, "Model directory {Path} has no tokenizer (tokenizer.json or tokenizer.model): only token-id prompts will be served")]
    public static partial void NoTokenizer(ILogger logger, string path);

    [LoggerMessage(1003, LogLevel.Information, "Warm-up step of {Tokens} prompt tokens took {Milliseconds:F0} ms")]
    public static partial void WarmedUp(ILogger logger, int tokens, double milliseconds);

    [LoggerMessage(1004, LogLevel.Information, "Serving: generation on {Serving}, admin on {Admin}, metrics on {Metrics}")]
    public static partial void Ready(ILogger logger, string serving, string admin, string metrics);

    [LoggerMessage(1005, LogLevel.Critical, "The model could not be loaded; stopping")]
    public static partial void LoadFailed(ILogger logger, Exception error);

    [LoggerMessage(1006, LogLevel.Information, "Stopping: draining running requests for up to {Seconds:F0} s")]
    public static partial void Draining(ILogger logger, double seconds);

    [LoggerMessage(1008, LogLevel.Information, "Shutdown requested: health reports NOT_SERVING; still serving for {Seconds:F0} s (Server:ShutdownDelay) while routers take this replica out")]
    public static partial void NotServing(ILogger logger, double seconds);

    [LoggerMessage(1007, LogLevel.Warning, "No Server:AdminApiKey is configured: the admin API (adapters, training) is disabled")]
    public static partial void AdminDisabled(ILogger logger);

    [LoggerMessage(1008, LogLevel.Critical, "The engine stopped after an internal fault; health reports NOT_SERVING and calls get UNAVAILABLE until the server is restarted")]
    public static partial void EngineFaulted(ILogger logger, Exception error);

    [LoggerMessage(1009, LogLevel.Error, "Training stopped after an internal fault; serving goes on, new training jobs are refused until the server is restarted")]
    public static partial void TrainingFaulted(ILogger logger, Exception error);

    [LoggerMessage(2000, LogLevel.Error, "Unexpected error in {Method} (trace {TraceId})")]
    public static partial void UnexpectedError(ILogger logger, Exception error, string method, string traceId);

    [LoggerMessage(2001, LogLevel.Information, "Refused {Method} from {Remote}: {Status} {Reason}")]
    public static partial void Refused(ILogger logger, string method, string? remote, string status, string reason);

    [LoggerMessage(3000, LogLevel.Information, "Adapter {AdapterId} registered: {PeftType}, version {Version}, from {Directory}")]
    public static partial void AdapterRegistered(ILogger logger, string adapterId, string peftType, string version, string directory);

    [LoggerMessage(3001, LogLevel.Information, "Adapter {AdapterId} unloaded; {InFlight} requests still finishing on it")]
    public static partial void AdapterUnloaded(ILogger logger, string adapterId, int inFlight);

    [LoggerMessage(3002, LogLevel.Warning, "Adapter {AdapterId} from the manifest could not be restored: {Reason}")]
    public static partial void AdapterNotRestored(ILogger logger, string adapterId, string reason);

    [LoggerMessage(3004, LogLevel.Information, "Adapters {AdapterIds} now as the shared store's manifest lists them")]
    public static partial void StoreFollowed(ILogger logger, string adapterIds);

    [LoggerMessage(3005, LogLevel.Warning, "Adapter {AdapterId} from the shared store's manifest could not be loaded here: {Reason}")]
    public static partial void StoreAdapterUnusable(ILogger logger, string adapterId, string reason);

    [LoggerMessage(3003, LogLevel.Warning, "Removed adapters/{Path} from the adapter store: no registration names it (an upload cut off before it registered, or a failed one)")]
    public static partial void OrphanRemoved(ILogger logger, string path);

    [LoggerMessage(4000, LogLevel.Information, "Training job {JobId} queued: adapter {AdapterId}, {PeftType}")]
    public static partial void TrainingQueued(ILogger logger, string jobId, string adapterId, string peftType);

    [LoggerMessage(4001, LogLevel.Information, "Training job {JobId} for adapter {AdapterId} resumes after the restart")]
    public static partial void TrainingResumed(ILogger logger, string jobId, string adapterId);

    [LoggerMessage(4002, LogLevel.Information, "Training job {JobId} cancelled")]
    public static partial void TrainingCancelled(ILogger logger, string jobId);

    [LoggerMessage(4003, LogLevel.Information, "Training job {JobId} succeeded: adapter {AdapterId} version {Version}, step {Step}, loss {Loss}, eval loss {EvalLoss}")]
    public static partial void TrainingSucceeded(ILogger logger, string jobId, string adapterId, string? version, int? step, double? loss, double? evalLoss);

    [LoggerMessage(4004, LogLevel.Warning, "Training job {JobId} for adapter {AdapterId} failed: {Reason}")]
    public static partial void TrainingFailed(ILogger logger, string jobId, string adapterId, string? reason);
}
