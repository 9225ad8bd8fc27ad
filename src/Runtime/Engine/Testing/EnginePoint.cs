namespace Peft.Runtime.Engine.Testing;

/// <summary>Points of the engine loop where a test can hold the engine thread.</summary>
public enum EnginePoint
{
    /// <summary>Each turn of the loop, after new submissions and cancellations are taken in, before scheduling.</summary>
    BeforeSchedule,

    /// <summary>After a serving step has sampled and streamed its tokens.</summary>
    AfterStep,

    /// <summary>After a unit of background work (a training micro-batch or evaluation).</summary>
    AfterBackgroundUnit,
}
