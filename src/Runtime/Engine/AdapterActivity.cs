namespace Peft.Runtime.Engine;

/// <summary>
/// Which adapters a replica can serve without a load, for routers that place requests by adapter (the Gateway API
/// Inference Extension reads it as vLLM's <c>lora_requests_info</c>). Published by the engine thread once per loop
/// iteration; immutable, so any thread may read it.
/// </summary>
/// <param name="Resident">Adapter ids with a version on the device (a LoRA slot or a prompt-learning device copy),
/// ordinal order: a request for one of them starts without loading anything.</param>
/// <param name="Waiting">Adapter ids of waiting requests whose adapter is not on the device, ordinal order.</param>
/// <param name="LoraSlots">LoRA adapters the device holds at once (vLLM's max_loras).</param>
/// <param name="At">When the engine published it.</param>
public sealed record AdapterActivity(IReadOnlyList<string> Resident, IReadOnlyList<string> Waiting, int LoraSlots, DateTimeOffset At)
{
    public static AdapterActivity None(int loraSlots) => new([], [], loraSlots, DateTimeOffset.UnixEpoch);

    /// <summary>The same adapters in both lists (the time aside): nothing for a router changed.</summary>
    public bool SameAdapters(IReadOnlyList<string> resident, IReadOnlyList<string> waiting) =>
        Resident.SequenceEqual(resident, StringComparer.Ordinal) && Waiting.SequenceEqual(waiting, StringComparer.Ordinal);
}
