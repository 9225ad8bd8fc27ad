namespace Peft.Server.Hosting;

/// <summary>
/// Where the server is in its life. Transitions: Loading → WarmingUp → Ready → Draining → Stopping (shutdown from
/// an earlier state goes straight to Stopping); Loading or WarmingUp → Failed (the process then stops); WarmingUp or
/// Ready → Faulted when the engine thread stops after an internal fault (the process stays up to say so). Health
/// reports SERVING in Ready only; requests are served in Ready and Draining.
/// </summary>
public enum ServingState
{
    /// <summary>Reading the model, tokenizer and adapter manifest.</summary>
    Loading,

    /// <summary>Running the worst-case warm-up step.</summary>
    WarmingUp,

    Ready,

    /// <summary>Shutdown was asked for (SIGTERM): health already reports NOT_SERVING so load balancers and Kubernetes
    /// readiness take the server out, while the listeners stay open and requests are still served for
    /// Server:ShutdownDelay, the time routers need to notice.</summary>
    Draining,

    /// <summary>Shutdown began: no new requests, running ones drain.</summary>
    Stopping,

    Failed,

    /// <summary>The engine stopped after a fault in its own code (<see cref="Peft.Runtime.Engine.InferenceEngine.Fault"/>):
    /// calls get UNAVAILABLE naming it until the server is restarted.</summary>
    Faulted,
}
