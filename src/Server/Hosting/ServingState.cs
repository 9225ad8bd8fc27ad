namespace Peft.Server.Hosting;

/// <summary>
/// Where the server is in its life. Transitions: Loading → WarmingUp → Ready → Stopping; Loading or WarmingUp →
/// Failed (the process then stops). Health reports SERVING in Ready only.
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
}
