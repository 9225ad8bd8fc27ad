namespace Peft.Server.Hosting;

/// <summary>
/// Test hooks of start-up: a test holds loading as it enters a <see cref="ServingState"/> (Loading: before the model
/// is read; WarmingUp: model loaded and engine running, before adapters are restored and the warm-up step runs), checks
/// what clients see in that state, then releases it.
/// </summary>
public sealed class StartupHooks
{
    private readonly Lock _lock = new();
    private readonly Dictionary<ServingState, StartupHold> _holds = [];

    /// <summary>Holds start-up when it enters <paramref name="state"/> (arm before the host starts).</summary>
    public StartupHold HoldAt(ServingState state)
    {
        var hold = new StartupHold(() => Disarm(state));
        lock (_lock) _holds[state] = hold;
        return hold;
    }

    /// <summary>Waits while a hold is armed for <paramref name="state"/>.</summary>
    internal Task PassAsync(ServingState state, CancellationToken cancellationToken)
    {
        StartupHold? hold;
        lock (_lock)
        {
            if (!_holds.Remove(state, out hold)) return Task.CompletedTask;
        }
        return hold.ParkAsync(cancellationToken);
    }

    private void Disarm(ServingState state)
    {
        lock (_lock) _holds.Remove(state);
    }
}

/// <summary>One armed hold of start-up; <see cref="Reached"/> completes when start-up waits at it.</summary>
public sealed class StartupHold : IDisposable
{
    private readonly Action _disarm;
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal StartupHold(Action disarm) => _disarm = disarm;

    public Task Reached => _reached.Task;

    public void Release() => _released.TrySetResult();

    public void Dispose()
    {
        _disarm();
        _reached.TrySetCanceled();
        Release();
    }

    internal Task ParkAsync(CancellationToken cancellationToken)
    {
        _reached.TrySetResult();
        return _released.Task.WaitAsync(cancellationToken);
    }
}
