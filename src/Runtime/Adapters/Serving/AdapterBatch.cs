using Peft.Runtime.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Adapters.Serving;

/// <summary>
/// The adapter side of one forward pass, immutable once built: which rows use which LoRA slot (the slot lane) and
/// which rows go to which adapter's own row hooks (the row-hook lane; the head's sites see the same adapters on the
/// logit rows). At a linear site the row hooks run first (they may rescale the base output: IA³, DoRA's
/// magnitude), then the slot deltas are added. Rows without an adapter are never touched, so a base-only batch
/// pays nothing. Index tensors are detached and owned here.
/// </summary>
public sealed class AdapterBatch : IForwardHooks, IDisposable
{
    private readonly List<Tensor> _owned = [];
    private readonly Device _device;
    private readonly SlotLoraKernel? _slots;
    private readonly RowHookLane _rows;
    private readonly RowHookLane _head;

    /// <param name="logitRows">The token rows the head runs on, in order (<see cref="ForwardBatch.LogitRows"/>); null: every row.</param>
    /// <param name="paths">Shortcuts of the slot lane (all in serving; none: the plain path they are compared with).</param>
    public AdapterBatch(LoraSlotPool? pool, IReadOnlyList<LoraSegment> slotSegments, IReadOnlyList<HookSegment> hookSegments, LoraKernel kernel,
        Device device, IReadOnlyList<long>? logitRows = null, LoraFastPaths paths = LoraFastPaths.All)
    {
        ArgumentNullException.ThrowIfNull(slotSegments);
        ArgumentNullException.ThrowIfNull(hookSegments);
        if (slotSegments.Count > 0 && pool is null) throw new ArgumentException("LoRA rows need a slot pool", nameof(pool));
        _device = device;
        _slots = slotSegments.Count > 0 ? new SlotLoraKernel(pool!, [.. slotSegments], kernel, paths, Index) : null;
        _rows = hookSegments.Count == 0 ? RowHookLane.Empty : new RowHookLane(hookSegments, Index);
        _head = logitRows is null || _rows.IsEmpty ? _rows : new RowHookLane(OnLogitRows(hookSegments, logitRows), Index);
    }

    /// <summary>The slot lane, null when no row uses a LoRA slot (tests check which path a batch took).</summary>
    internal SlotLoraKernel? SlotLane => _slots;

    public Tensor TransformEmbeddings(Tensor tokenIds, Tensor embeddings) =>
        _rows.IsEmpty ? embeddings : _rows.Embeddings(tokenIds, embeddings);

    public Tensor BeforeLinear(LinearSite site, Tensor input)
    {
        ArgumentNullException.ThrowIfNull(site);
        var lane = site.IsHead ? _head : _rows;
        return lane.IsEmpty ? input : lane.BeforeLinear(site, input);
    }

    public Tensor AfterLinear(LinearSite site, Tensor input, Tensor output)
    {
        ArgumentNullException.ThrowIfNull(site);
        var lane = site.IsHead ? _head : _rows;
        if (!lane.IsEmpty) output = lane.AfterLinear(site, input, output);
        return _slots is null || site.IsHead ? output : _slots.AfterLinear(site, input, output);
    }

    public Tensor AfterNorm(NormSite site, Tensor output)
    {
        ArgumentNullException.ThrowIfNull(site);
        var lane = site.IsHead ? _head : _rows;
        return lane.IsEmpty ? output : lane.AfterNorm(site, output);
    }

    /// <summary>The hook segments as the head sees them: logit row j is token row logitRows[j].</summary>
    private static List<HookSegment> OnLogitRows(IReadOnlyList<HookSegment> segments, IReadOnlyList<long> logitRows)
    {
        var mapped = new List<HookSegment>();
        if (segments.Count == 0) return mapped;
        for (int j = 0; j < logitRows.Count; j++)
        {
            long row = logitRows[j];
            foreach (var s in segments)
            {
                if (row < s.Row || row >= s.Row + s.Length) continue;
                int stream = s.StreamStart + (int)(row - s.Row);
                if (mapped.Count > 0 && mapped[^1] is var last && ReferenceEquals(last.Hooks, s.Hooks)
                    && last.Row + last.Length == j && last.StreamStart + last.Length == stream)
                    mapped[^1] = last with { Length = last.Length + 1 };
                else
                    mapped.Add(new HookSegment(j, 1, stream, s.Hooks));
                break;
            }
        }
        return mapped;
    }

    private Tensor Index(IEnumerable<long> values)
    {
        var t = tensor(values.ToArray(), device: _device).DetachFromDisposeScope();
        _owned.Add(t);
        return t;
    }

    public void Dispose()
    {
        _slots?.Dispose();
        foreach (var t in _owned) t.Dispose();
        _owned.Clear();
    }
}
