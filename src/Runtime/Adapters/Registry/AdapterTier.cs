namespace Peft.Runtime.Adapters.Registry;

/// <summary>Where an adapter version's weights are right now. Transitions: Disk → Host (parsed off the engine
/// thread) → Device (copied into a slot between engine steps); eviction walks back down.</summary>
public enum AdapterTier
{
    Disk,
    Host,
    Device,
}
