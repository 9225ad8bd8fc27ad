namespace Peft.Testing;

/// <summary>
/// A clock that, once armed, throws when the engine thread reads the time: a fault in the engine's own scheduling
/// code, injected without touching the engine. Other threads read the real time.
/// </summary>
public sealed class EngineThreadFault : TimeProvider
{
    public const string Message = "simulated fault in the engine's scheduling";
    private volatile bool _armed;

    public void Arm() => _armed = true;

    public override DateTimeOffset GetUtcNow() =>
        _armed && Thread.CurrentThread.Name == "peft-engine" ? throw new InvalidOperationException(Message) : base.GetUtcNow();
}
