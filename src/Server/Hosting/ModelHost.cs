using Peft.Server.Errors;

namespace Peft.Server.Hosting;

/// <summary>
/// The one place services get the loaded model from, and the serving state health reports. Services call
/// <see cref="Require"/>, which answers UNAVAILABLE while the model loads or the server stops.
/// </summary>
public sealed class ModelHost : IAsyncDisposable
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile LoadedModel? _loaded;
    private volatile string? _failure;
    private int _state = (int)ServingState.Loading;

    public ServingState State => (ServingState)Volatile.Read(ref _state) is var state
        && state is ServingState.WarmingUp or ServingState.Ready && _loaded?.Engine.Fault is not null
        ? ServingState.Faulted
        : state;

    /// <summary>Why the server does not serve, when it does not (for health and logs).</summary>
    public string Reason => State switch
    {
        ServingState.Faulted => $"the engine stopped after an internal fault: {_loaded?.Engine.Fault}",
        ServingState.Failed => $"the model failed to load: {_failure}",
        var state => state.ToString(),
    };

    /// <summary>Holds of start-up at a state, for tests.</summary>
    public StartupHooks TestHooks { get; } = new();

    /// <summary>Completes when the server is ready to serve; faults when loading failed (tests await it).</summary>
    public Task Ready => _ready.Task;

    /// <summary>The loaded model, whatever the state (null before it is loaded). For tests and shutdown.</summary>
    public LoadedModel? Loaded => _loaded;

    /// <summary>The loaded model when the server serves; otherwise UNAVAILABLE naming the state.</summary>
    public LoadedModel Require() => State switch
    {
        ServingState.Ready or ServingState.Draining => _loaded!,
        ServingState.Stopping => throw ApiErrors.Unavailable("the server is shutting down"),
        ServingState.Failed => throw ApiErrors.Unavailable($"the model failed to load: {_failure}"),
        ServingState.Faulted => throw ApiErrors.Unavailable($"{Reason}; the server must be restarted"),
        _ => throw ApiErrors.Unavailable("the model is still loading; retry shortly"),
    };

    internal void Loading(LoadedModel loaded)
    {
        _loaded = loaded;
        Move(ServingState.Loading, ServingState.WarmingUp);
    }

    internal void MarkReady()
    {
        if (Move(ServingState.WarmingUp, ServingState.Ready)) _ready.TrySetResult();
    }

    internal void MarkFailed(Exception error)
    {
        _failure = error.Message;
        Volatile.Write(ref _state, (int)ServingState.Failed);
        _ready.TrySetException(error);
    }

    /// <summary>Ready → Draining; from any other state shutdown has nothing to drain and this does nothing.</summary>
    internal void MarkDraining() => Move(ServingState.Ready, ServingState.Draining);

    internal void MarkStopping()
    {
        if (State != ServingState.Failed) Volatile.Write(ref _state, (int)ServingState.Stopping);
        _ready.TrySetCanceled();
    }

    private bool Move(ServingState from, ServingState to) =>
        Interlocked.CompareExchange(ref _state, (int)to, (int)from) == (int)from;

    public async ValueTask DisposeAsync()
    {
        if (_loaded is { } loaded)
        {
            _loaded = null;
            await loaded.DisposeAsync();
        }
    }
}
