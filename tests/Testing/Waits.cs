namespace Peft.Testing;

/// <summary>
/// How long a test awaits an event the code raises (a hold point reached, a fault reported, the host ready) before
/// it fails. Only a cap, so a broken build fails instead of hanging: every such wait is followed by assertions on
/// state, never on how long it took. Two minutes covers the whole suite on one slow, shared core.
/// </summary>
public static class Waits
{
    public static readonly TimeSpan Cap = TimeSpan.FromMinutes(2);
}
