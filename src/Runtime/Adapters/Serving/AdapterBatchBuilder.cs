using TorchSharp;

namespace Peft.Runtime.Adapters.Serving;

/// <summary>Collects what each sequence's binding contributes to a step, then builds the step's <see cref="AdapterBatch"/>.</summary>
public sealed class AdapterBatchBuilder
{
    private readonly List<LoraSegment> _slots = [];
    private readonly List<HookSegment> _hooks = [];

    /// <summary>Rows that take the low-rank delta held in LoRA slot <paramref name="slot"/>.</summary>
    public void AddSlot(int row, int length, int slot) => _slots.Add(new LoraSegment(row, length, slot));

    /// <summary>Rows that go through an adapter's own row hooks.</summary>
    public void AddHooks(int row, int length, int streamStart, IRowHooks hooks) => _hooks.Add(new HookSegment(row, length, streamStart, hooks));

    public AdapterBatch Build(LoraSlotPool? pool, LoraKernel kernel, torch.Device device, IReadOnlyList<long>? logitRows,
        LoraFastPaths paths = LoraFastPaths.All) =>
        new(pool, _slots, _hooks, kernel, device, logitRows, paths);
}
