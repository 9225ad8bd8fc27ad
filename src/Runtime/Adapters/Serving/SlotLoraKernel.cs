using Peft.Runtime.Models;
using static TorchSharp.torch;

namespace Peft.Runtime.Adapters.Serving;

/// <summary>A run of consecutive rows of one sequence that uses LoRA slot <see cref="Slot"/>.</summary>
public readonly record struct LoraSegment(int Row, int Length, int Slot);

/// <summary>
/// The slot-pool lane of a step: low-rank deltas of every adapter that holds a LoRA slot (LoRA, and the low-rank
/// part of DoRA and AdaLoRA), applied to their rows by the parts of a <see cref="SlotPlan"/>. A site's plan depends
/// only on which of the step's slots target it, so it is made once per step for each such set (a bit mask over the
/// step's distinct slots; no strings, no allocation when the set was seen). Index tensors are made on first use
/// inside a layer's dispose scope, so they are detached and owned by the batch (<paramref name="own"/>); the shared
/// shrink is detached and owned here.
/// </summary>
internal sealed class SlotLoraKernel : IDisposable
{
    private readonly LoraSlotPool _pool;
    private readonly LoraSegment[] _segments;
    private readonly LoraKernel _kernel;
    private readonly LoraFastPaths _paths;
    private readonly Func<IEnumerable<long>, Tensor> _own;
    private readonly int[] _slots;              // the step's distinct slots
    private readonly int[] _segmentSlot;        // per segment: its slot's position in _slots
    private readonly ulong[] _mask, _other;     // scratch: one bit per distinct slot
    private readonly List<(ulong[] Mask, SlotPlan Plan)> _plans = [];
    private readonly FusedSlotLane? _fused;
    private SharedShrink? _shared;
    private FusedShrink? _fusedShared;

    public SlotLoraKernel(LoraSlotPool pool, LoraSegment[] segments, LoraKernel kernel, LoraFastPaths paths, Func<IEnumerable<long>, Tensor> own)
    {
        (_pool, _segments, _kernel, _paths, _own) = (pool, segments, kernel, paths, own);
        _slots = [.. segments.Select(s => s.Slot).Distinct().Order()];
        _segmentSlot = [.. segments.Select(s => Array.BinarySearch(_slots, s.Slot))];
        _mask = new ulong[(_slots.Length + 63) / 64];
        _other = new ulong[_mask.Length];
        _fused = FusedSlotLane.For(pool, segments, kernel, paths);
    }

    /// <summary>Input groups that shared one shrink so far (tests check which path a batch took).</summary>
    internal int SharedShrinks { get; private set; }

    /// <summary>The parts of every plan made so far.</summary>
    internal IEnumerable<SlotPart> Parts => _plans.SelectMany(p => p.Plan.Parts);

    /// <summary>Site calls the fused lane took (tests check which path a batch took).</summary>
    internal int FusedSites { get; private set; }

    /// <summary>
    /// Semantics: for every segment (row, length, slot) whose adapter targets this site,
    ///   output[row .. row+length) += (input[row .. row+length) · A_pool[slot]ᵀ) · B_pool[slot]ᵀ
    /// with the scaling already folded into B_pool. Products stop at the largest rank in use (the padding is zero);
    /// sites that read one input and are targeted by the same slots share the first product.
    /// </summary>
    public Tensor AfterLinear(LinearSite site, Tensor input, Tensor output)
    {
        int index = site.Index;
        if (_pool.A(index) is not { } a) return output;
        if (_fused?.Applies(index, input, output) is { } memory && Fused(index, memory, input, output)) return output;
        var b = _pool.B(index)!;
        if ((_paths & LoraFastPaths.SharedShrink) != 0 && _pool.SharedInputSites(index).Count > 1 && Shared(index, input) is { } shared)
            return shared.Plan!.Expand(shared.Shrunk, b.narrow(2, 0, shared.Rank), output, _pool.SharedInputPosition(index), shared.GroupSize);
        int rank = Targeting(index, _mask);
        if (rank == 0) return output;
        var plan = PlanFor(_mask);
        return plan.Expand(plan.Shrink(input, a.narrow(1, 0, rank)), b.narrow(2, 0, rank), output, 0, 1);
    }

    /// <summary>The input group's shared shrink for this input, made by its first site; null when the group's sites
    /// are not all targeted by the same slots (each then runs alone). Keyed by the input tensor object: the model
    /// passes a group's sites the same one and hooks never write their inputs, while a row hook that changes a
    /// site's input hands it a new tensor, which gets a shrink of its own.</summary>
    private SharedShrink? Shared(int site, Tensor input)
    {
        var group = _pool.SharedInputSites(site);
        if (_shared is { } cached && cached.Key == group[0] && ReferenceEquals(cached.Input, input)) return cached.Plan is null ? null : cached;
        _shared?.Dispose();
        _shared = null;
        int rank = GroupRank(group);
        if (rank == 0)
        {
            _shared = new SharedShrink(group[0], input, null, [], 0, group.Count);
            return null;
        }
        var plan = PlanFor(_mask);
        var shrunk = plan.Shrink(input, _pool.SharedA(site, rank));
        for (int i = 0; i < shrunk.Length; i++) shrunk[i] = SlotPart.BySite(shrunk[i], group.Count).DetachFromDisposeScope();
        SharedShrinks++;
        _shared = new SharedShrink(group[0], input, plan, shrunk, rank, group.Count);
        return _shared;
    }

    /// <summary>The site's delta by the fused lane; false (nothing done) where its plan is one slot's own product.</summary>
    private bool Fused(int site, SiteFactorMemory memory, Tensor input, Tensor output)
    {
        var group = _pool.SharedInputSites(site);
        if (group.Count > 1)   // the lane runs only with every shortcut, the shared shrink among them
        {
            if (_fusedShared is { } held && held.Key == group[0] && ReferenceEquals(held.Input, input))
            {
                if (held.Plan is not { } plan) return OwnShrink(site, memory, input, output);
                _fused!.Expand(memory, output, plan.Pieces, held.Rank);
                FusedSites++;
                return true;
            }
            int rank = GroupRank(group);
            var shared = rank == 0 ? null : PlanFor(_mask);
            if (shared is { Fusable: false }) return false;
            _fusedShared = new FusedShrink(group[0], input, shared, rank);
            if (shared is null) return OwnShrink(site, memory, input, output);
            _fused!.ShrinkAndExpand(memory, shared: true, input, output, shared.Pieces, rank);
            SharedShrinks++;
            FusedSites++;
            return true;
        }
        return OwnShrink(site, memory, input, output);
    }

    private bool OwnShrink(int site, SiteFactorMemory memory, Tensor input, Tensor output)
    {
        int rank = Targeting(site, _mask);
        if (rank == 0) return true;
        var plan = PlanFor(_mask);
        if (!plan.Fusable) return false;
        _fused!.ShrinkAndExpand(memory, shared: false, input, output, plan.Pieces, rank);
        FusedSites++;
        return true;
    }

    /// <summary>The rank the input group's shared shrink needs, with the first site's slots in <see cref="_mask"/>; 0
    /// when no slot targets the group or its sites are not all targeted by the same slots.</summary>
    private int GroupRank(IReadOnlyList<int> group)
    {
        int rank = Targeting(group[0], _mask);
        for (int i = 1; i < group.Count && rank > 0; i++)
        {
            int other = Targeting(group[i], _other);
            rank = _other.AsSpan().SequenceEqual(_mask) ? Math.Max(rank, other) : 0;
        }
        return rank;
    }

    /// <summary>Sets one bit in <paramref name="mask"/> per distinct slot of the step that targets the site.</summary>
    /// <returns>The rank the site's products need (0: no slot targets it).</returns>
    private int Targeting(int site, ulong[] mask)
    {
        Array.Clear(mask);
        int rank = 0;
        for (int u = 0; u < _slots.Length; u++)
        {
            int r = _pool.Rank(_slots[u], site);
            if (r == 0) continue;
            mask[u >> 6] |= 1UL << (u & 63);
            rank = Math.Max(rank, r);
        }
        return rank == 0 || (_paths & LoraFastPaths.TrimRank) != 0 ? rank : _pool.MaxRank;
    }

    private SlotPlan PlanFor(ulong[] mask)
    {
        foreach (var (m, p) in _plans)
            if (m.AsSpan().SequenceEqual(mask)) return p;
        var included = new List<LoraSegment>();
        for (int i = 0; i < _segments.Length; i++)
            if ((mask[_segmentSlot[i] >> 6] & (1UL << (_segmentSlot[i] & 63))) != 0) included.Add(_segments[i]);
        var plan = SlotPlan.For(included, _kernel, _paths, _own);
        _plans.Add(((ulong[])mask.Clone(), plan));
        return plan;
    }

    public void Dispose()
    {
        _shared?.Dispose();
        _shared = null;
        _fused?.Dispose();
    }

    /// <summary>Which input group's shrink the fused lane's scratch holds, for which input (Plan null: the group's sites
    /// are not all targeted by the same slots, so each shrinks its own).</summary>
    private sealed record FusedShrink(int Key, Tensor Input, SlotPlan? Plan, int Rank);

    /// <summary>The shrunk input of the sites reading one input tensor (Key: the group's first site), for one plan.</summary>
    private sealed record SharedShrink(int Key, Tensor Input, SlotPlan? Plan, Tensor[] Shrunk, int Rank, int GroupSize) : IDisposable
    {
        public void Dispose()
        {
            foreach (var t in Shrunk) t.Dispose();
        }
    }
}
