namespace Peft.Runtime.Engine.Testing;

/// <summary>
/// A one-shot hold of the engine thread (a test hook). The first time the engine passes <see cref="Point"/> with a
/// state the condition accepts, <see cref="Reached"/> completes with that state and the engine thread waits there,
/// doing nothing else, until <see cref="Release"/> or <see cref="Dispose"/>. Submissions and cancellations are still
/// accepted meanwhile; the engine acts on them when released.
/// </summary>
public sealed class EngineHold : IDisposable
{
    private readonly EngineTestHooks _owner;
    private readonly Func<EngineView, bool> _condition;
    private readonly TaskCompletionSource<EngineView> _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal EngineHold(EngineTestHooks owner, EnginePoint point, Func<EngineView, bool> condition)
    {
        _owner = owner;
        Point = point;
        _condition = condition;
    }

    public EnginePoint Point { get; }

    /// <summary>Completes when the engine thread is held, with its state at that moment.</summary>
    public Task<EngineView> Reached => _reached.Task;

    /// <summary>Lets the engine thread go on (idempotent).</summary>
    public void Release() => _released.TrySetResult();

    /// <summary>Disarms the hold if it was never reached, and releases it if it was.</summary>
    public void Dispose()
    {
        _owner.Disarm(this);
        _reached.TrySetCanceled();
        Release();
    }

    /// <summary>On the engine thread: true when the condition holds (a throwing condition faults <see cref="Reached"/>).</summary>
    internal bool Matches(EngineView view)
    {
        try
        {
            return _condition(view);
        }
#pragma warning disable CA1031 // A test's faulty condition must reach the test, not end the engine thread.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _owner.Disarm(this);
            _reached.TrySetException(e);
            return false;
        }
    }

    /// <summary>On the engine thread: reports the state and blocks until released.</summary>
    internal void Park(EngineView view)
    {
        if (_reached.TrySetResult(view)) _released.Task.Wait();
    }
}
