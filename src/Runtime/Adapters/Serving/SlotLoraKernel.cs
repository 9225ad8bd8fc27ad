using Peft.Runtime.Models;
using Peft.Runtime.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Adapters.Serving;

/// <summary>A run of consecutive rows of one sequence that uses LoRA slot <see cref="Slot"/>.</summary>
public readonly record struct LoraSegment(int Row, int Length, int Slot);

/// <summary>
/// The slot-pool lane of a step: low-rank deltas of every adapter that holds a LoRA slot (LoRA, and the low-rank
/// part of DoRA and AdaLoRA), applied to their rows by SGMV or BGMV. Index tensors are made on first use inside a
/// layer's dispose scope, so they are detached and owned by the batch (<paramref name="own"/>).
/// </summary>
internal sealed class SlotLoraKernel(LoraSlotPool pool, LoraSegment[] segments, LoraKernel kernel, Func<IEnumerable<long>, Tensor> own)
{
    private readonly Dictionary<string, SitePlan> _plans = [];

    /// <summary>
    /// Semantics: for every segment (row, length, slot) whose adapter targets this site,
    ///   output[row .. row+length) += (input[row .. row+length) · A_pool[slot]ᵀ) · B_pool[slot]ᵀ
    /// with the scaling already folded into B_pool.
    /// </summary>
    public Tensor AfterLinear(LinearSite site, Tensor input, Tensor output)
    {
        if (pool.A(site.Index) is not { } aPool) return output;
        var plan = PlanFor(site.Index);
        if (plan is null) return output;
        var bPool = pool.B(site.Index)!;

        foreach (var s in plan.Prefill)
        {
            var x = input.narrow(0, s.Row, s.Length);
            output.narrow(0, s.Row, s.Length).add_(LoraMath.Delta(x, aPool[s.Slot], bPool[s.Slot]), Scalars.One);
        }
        if (plan.DecodeRows is null) return output;
        if (kernel == LoraKernel.Gather)
        {
            var xs = input.index_select(0, plan.DecodeRows).unsqueeze(-1);                       // [n, in, 1]
            var shrunk = aPool.index_select(0, plan.DecodeSlots!).bmm(xs);                         // [n, r, 1]
            var delta = bPool.index_select(0, plan.DecodeSlots!).bmm(shrunk).squeeze(-1);          // [n, out]
            return output.index_add_(0, plan.DecodeRows, delta, Scalars.One);
        }
        return Grouped(plan.Groups!, input, output, aPool, bPool);
    }

    /// <summary>
    /// Semantics (SGMV): rows grouped by slot, U distinct slots, at most m rows each (shorter groups padded with any row):
    ///   A_u = A_pool[slots], B_u = B_pool[slots]      (a view when the slots form a range: no copy at all)
    ///   X   = x[padded rows] as [U, m, in];  Y = (X · A_uᵀ) · B_uᵀ as [U, m, out]
    ///   output[row] += Y[its group, its position] for the real rows only.
    /// Each adapter's weights are read once however many rows use it, in a fixed number of ops per site.
    /// </summary>
    private static Tensor Grouped(GroupPlan g, Tensor input, Tensor output, Tensor aPool, Tensor bPool)
    {
        var a = g.FirstSlot >= 0 ? aPool.narrow(0, g.FirstSlot, g.Groups) : aPool.index_select(0, g.Slots!);   // [U, r, in]
        var b = g.FirstSlot >= 0 ? bPool.narrow(0, g.FirstSlot, g.Groups) : bPool.index_select(0, g.Slots!);   // [U, out, r]
        var x = input.index_select(0, g.PaddedRows).view(g.Groups, g.Width, -1);                                // [U, m, in]
        var y = x.bmm(a.transpose(1, 2)).bmm(b.transpose(1, 2)).view(g.Groups * g.Width, -1);                   // [U·m, out]
        if (g.Valid is not null) y = y.index_select(0, g.Valid);
        return output.index_add_(0, g.Rows, y, Scalars.One);
    }

    /// <summary>The segments that target a site; sites targeted by the same segments share one plan.</summary>
    private SitePlan? PlanFor(int site)
    {
        var included = segments.Where(s => pool.Targets(s.Slot, site)).ToArray();
        if (included.Length == 0) return null;
        string key = string.Join(',', included.Select(s => s.Row));
        if (_plans.TryGetValue(key, out var plan)) return plan;

        var decode = included.Where(s => s.Length == 1).ToArray();
        plan = new SitePlan { Prefill = included.Where(s => s.Length > 1).ToArray() };
        if (decode.Length > 0)
        {
            plan.DecodeRows = own(decode.Select(s => (long)s.Row));
            plan.DecodeSlots = own(decode.Select(s => (long)s.Slot));
            plan.Groups = GroupPlanFor(decode);
        }
        _plans[key] = plan;
        return plan;
    }

    private GroupPlan GroupPlanFor(LoraSegment[] decode)
    {
        var bySlot = decode.GroupBy(s => s.Slot).OrderBy(g => g.Key).ToArray();
        var slots = bySlot.Select(g => g.Key).ToArray();
        var groups = bySlot.Select(g => g.Select(s => s.Row).ToArray()).ToArray();
        int width = groups.Max(g => g.Length);
        bool range = slots[^1] - slots[0] == slots.Length - 1;
        var padded = groups.SelectMany(g => Enumerable.Range(0, width).Select(j => (long)g[Math.Min(j, g.Length - 1)]));
        var valid = groups.SelectMany((g, i) => Enumerable.Range(0, g.Length).Select(j => (long)(i * width + j))).ToArray();
        return new GroupPlan
        {
            Groups = groups.Length,
            Width = width,
            FirstSlot = range ? slots[0] : -1,
            Slots = range ? null : own(slots.Select(s => (long)s)),
            PaddedRows = own(padded),
            Valid = valid.Length == groups.Length * width ? null : own(valid),
            Rows = own(groups.SelectMany(g => g).Select(r => (long)r)),
        };
    }

    private sealed class SitePlan
    {
        public LoraSegment[] Prefill = [];
        public Tensor? DecodeRows;                        // [n]
        public Tensor? DecodeSlots;                       // [n]
        public GroupPlan? Groups;
    }

    private sealed class GroupPlan
    {
        public int Groups;                 // U: distinct slots
        public int Width;                  // m: rows of the largest group
        public int FirstSlot;              // the slots are FirstSlot .. FirstSlot+U-1, or -1
        public Tensor? Slots;              // [U] when they are not a range
        public Tensor PaddedRows = null!;  // [U·m] input rows, groups padded by repeating their last row
        public Tensor? Valid;              // [n] positions of real rows in [U·m], null when nothing is padding
        public Tensor Rows = null!;        // [n] output row of each real position, in the same order
    }
}
