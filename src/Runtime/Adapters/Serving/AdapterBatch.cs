using Peft.Runtime.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Adapters.Serving;

/// <summary>A run of consecutive rows of one sequence that uses LoRA slot <see cref="Slot"/>.</summary>
public readonly record struct LoraSegment(int Row, int Length, int Slot);

/// <summary>Rows [Row, Row + values.rows) of the batch whose embeddings are the given virtual-token vectors.</summary>
public readonly record struct VirtualTokenRows(int Row, Tensor Values);

/// <summary>
/// The adapter side of one forward pass, immutable once built: which rows use which LoRA slot and which rows are
/// virtual tokens. Rows without an adapter are never touched, so a base-only batch pays nothing.
/// Index tensors are made on first use inside a layer's dispose scope, so they are detached and owned here.
/// </summary>
public sealed class AdapterBatch : IForwardHooks, IDisposable
{
    private readonly List<Tensor> _owned = [];
    private readonly LoraSlotPool? _pool;
    private readonly LoraSegment[] _segments;
    private readonly VirtualTokenRows[] _virtual;
    private readonly LoraKernel _kernel;
    private readonly Device _device;
    private readonly Dictionary<string, SitePlan> _plans = [];

    public AdapterBatch(LoraSlotPool? pool, IReadOnlyList<LoraSegment> segments, IReadOnlyList<VirtualTokenRows> virtualTokens, LoraKernel kernel, Device device)
    {
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentNullException.ThrowIfNull(virtualTokens);
        if (segments.Count > 0 && pool is null) throw new ArgumentException("LoRA rows need a slot pool", nameof(pool));
        _pool = pool;
        _segments = [.. segments];
        _virtual = [.. virtualTokens];
        _kernel = kernel;
        _device = device;
    }

    public torch.Tensor TransformEmbeddings(torch.Tensor embeddings)
    {
        foreach (var (row, values) in _virtual)
            embeddings.narrow(0, row, values.shape[0]).copy_(values);
        return embeddings;
    }

    /// <summary>
    /// Semantics: for every segment (row, length, slot) whose adapter targets this site,
    ///   output[row .. row+length) += (input[row .. row+length) · A_pool[slot]ᵀ) · B_pool[slot]ᵀ
    /// with the scaling already folded into B_pool.
    /// </summary>
    public torch.Tensor AfterLinear(LinearSite site, torch.Tensor input, torch.Tensor output)
    {
        if (_segments.Length == 0 || _pool!.A(site.Index) is not { } aPool) return output;
        var plan = PlanFor(site.Index);
        if (plan is null) return output;
        var bPool = _pool.B(site.Index)!;

        foreach (var s in plan.Prefill)
        {
            var x = input.narrow(0, s.Row, s.Length);
            var delta = x.matmul(aPool[s.Slot].t()).matmul(bPool[s.Slot].t());
            output.narrow(0, s.Row, s.Length).add_(delta);
        }
        if (plan.DecodeRows is null) return output;
        if (_kernel == LoraKernel.Gather)
        {
            var xs = input.index_select(0, plan.DecodeRows).unsqueeze(-1);                       // [n, in, 1]
            var shrunk = aPool.index_select(0, plan.DecodeSlots!).bmm(xs);                         // [n, r, 1]
            var delta = bPool.index_select(0, plan.DecodeSlots!).bmm(shrunk).squeeze(-1);          // [n, out]
            return output.index_add_(0, plan.DecodeRows, delta, 1);
        }
        foreach (var (slot, rows) in plan.DecodeGroups!)
        {
            var delta = input.index_select(0, rows).matmul(aPool[slot].t()).matmul(bPool[slot].t());
            output.index_add_(0, rows, delta, 1);
        }
        return output;
    }

    /// <summary>The segments that target a site; sites targeted by the same segments share one plan.</summary>
    private SitePlan? PlanFor(int site)
    {
        var included = _segments.Where(s => _pool!.Targets(s.Slot, site)).ToArray();
        if (included.Length == 0) return null;
        string key = string.Join(',', included.Select(s => s.Row));
        if (_plans.TryGetValue(key, out var plan)) return plan;

        var decode = included.Where(s => s.Length == 1).ToArray();
        plan = new SitePlan { Prefill = included.Where(s => s.Length > 1).ToArray() };
        if (decode.Length > 0)
        {
            plan.DecodeRows = Index(decode.Select(s => (long)s.Row));
            plan.DecodeSlots = Index(decode.Select(s => (long)s.Slot));
            plan.DecodeGroups = decode.GroupBy(s => s.Slot)
                .Select(g => (g.Key, Index(g.Select(s => (long)s.Row))))
                .ToArray();
        }
        _plans[key] = plan;
        return plan;
    }

    private Tensor Index(IEnumerable<long> values)
    {
        var t = tensor(values.ToArray(), device: _device).DetachFromDisposeScope();
        _owned.Add(t);
        return t;
    }

    public void Dispose()
    {
        foreach (var t in _owned) t.Dispose();
        _owned.Clear();
    }

    private sealed class SitePlan
    {
        public LoraSegment[] Prefill = [];
        public Tensor? DecodeRows;                        // [n]
        public Tensor? DecodeSlots;                       // [n]
        public (int Slot, Tensor Rows)[]? DecodeGroups;   // per distinct slot: its rows
    }
}
