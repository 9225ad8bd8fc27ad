namespace Peft.Runtime.Engine.Testing;

/// <summary>
/// The engine's request events from the moment it was started (a test hook): tests wait for the event that proves
/// a state (a request retired, a cancellation arrived) instead of sleeping and reading counters once.
/// </summary>
public sealed class EngineRecording : IDisposable
{
    private readonly EngineTestHooks _owner;
    private readonly Lock _lock = new();
    private readonly List<EngineEvent> _events = [];
    private readonly List<(Func<EngineEvent, bool> Match, TaskCompletionSource<EngineEvent> Found)> _waiters = [];

    internal EngineRecording(EngineTestHooks owner) => _owner = owner;

    /// <summary>The events so far, in order.</summary>
    public IReadOnlyList<EngineEvent> Events
    {
        get
        {
            lock (_lock) return [.. _events];
        }
    }

    /// <summary>The first event (recorded already or still to come) of type <typeparamref name="T"/> that matches.</summary>
    public async Task<T> WaitFor<T>(Func<T, bool>? match = null, TimeSpan? timeout = null) where T : EngineEvent
    {
        bool Matches(EngineEvent e) => e is T t && (match is null || match(t));
        TaskCompletionSource<EngineEvent> found = new(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_events.FirstOrDefault(Matches) is T already) return already;
            _waiters.Add((Matches, found));
        }
        try
        {
            return (T)await found.Task.WaitAsync(timeout ?? DefaultTimeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no matching {typeof(T).Name} within {timeout ?? DefaultTimeout}; recorded: {string.Join(", ", Events)}");
        }
    }

    /// <summary>Generous: a wait that times out means the state was never reached, on however slow a machine.</summary>
    public static TimeSpan DefaultTimeout { get; } = TimeSpan.FromMinutes(2);

    internal void Add(EngineEvent e)
    {
        List<TaskCompletionSource<EngineEvent>> found = [];
        lock (_lock)
        {
            _events.Add(e);
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (!_waiters[i].Match(e)) continue;
                found.Add(_waiters[i].Found);
                _waiters.RemoveAt(i);
            }
        }
        foreach (var f in found) f.TrySetResult(e);
    }

    public void Dispose() => _owner.Stop(this);
}
