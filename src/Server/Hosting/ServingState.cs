namespace Peft.Server.Hosting;

/// <summary>
/// Where the server is in its life. Transitions: Loading → WarmingUp → Ready → Stopping; Loading or WarmingUp →
/// Failed (the process then stops); WarmingUp or Ready → Faulted when the engine thread stops after an internal
/// fault (the process stays up to say so). Health reports SERVING in Ready only.
/// </summary>
public enum ServingState
{
    /// <summary>Reading the model, tokenizer and adapter manifest.</summary>
    Loading,

    /// <summary>Running the worst-case warm-up step.</summary>
    WarmingUp,

    Ready,

    /// <summary>Shutdown began: no new requests, running ones drain.</summary>
    Stopping,

    Failed,

    /// <summary>The engine stopped after a fault in its own code (<see cref="Peft.Runtime.Engine.InferenceEngine.Fault"/>):
    /// calls get UNAVAILABLE naming it until the server is restarted.</summary>
    Faulted,
}
