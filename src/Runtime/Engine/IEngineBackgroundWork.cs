namespace Peft.Runtime.Engine;

/// <summary>
/// Work the engine thread runs between serving steps (adapter training), in units short enough to interleave.
/// The engine gives it the device when nothing is being served, and otherwise about as much time as serving gets,
/// so decode latency at most about doubles while a job runs.
/// </summary>
public interface IEngineBackgroundWork
{
    /// <summary>True when a unit is ready to run.</summary>
    bool HasWork { get; }

    /// <summary>Runs one unit on the engine thread. Failures of the work itself are the work's to handle (a training
    /// job's failure fails that job); it should not throw.</summary>
    void RunUnit();

    /// <summary>
    /// Called on the engine thread when <see cref="RunUnit"/> threw anyway: the engine stops running this work (it is
    /// detached) and keeps serving. The work ends what it had in progress and refuses new work with the reason.
    /// </summary>
    void Fault(Exception error);
}
