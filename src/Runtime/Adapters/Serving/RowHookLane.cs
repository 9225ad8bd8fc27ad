using Peft.Runtime.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Adapters.Serving;

/// <summary>Rows [Row, Row + Length) of one sequence, at stream positions StreamStart.., whose adapter acts through <see cref="Hooks"/>.</summary>
public readonly record struct HookSegment(int Row, int Length, int StreamStart, IRowHooks Hooks);

/// <summary>
/// The row-hook lane of a step, in one row space (token rows, or the logit rows the head sees): every adapter's
/// own math on its own rows. Semantics, per site and per adapter a acting there, with R_a its rows:
///   y[R_a] = a.AfterLinear(site, x[R_a], y[R_a])          (likewise BeforeLinear on x, AfterNorm on y)
/// Multi-row segments (prefill chunks) are narrowed views; an adapter's single-row segments (decode rows) are
/// gathered into one call. Embeddings go segment by segment, because virtual tokens depend on stream positions.
/// </summary>
internal sealed class RowHookLane
{
    private readonly Group[] _groups;

    /// <summary>No adapter with row hooks in the batch (a LoRA-only or base-only step allocates nothing for this lane).</summary>
    public static RowHookLane Empty { get; } = new([], _ => throw new InvalidOperationException());

    public RowHookLane(IReadOnlyList<HookSegment> segments, Func<IEnumerable<long>, Tensor> own)
    {
        _groups = segments.GroupBy(s => s.Hooks, ReferenceEqualityComparer.Instance)
            .Select(g => new Group((IRowHooks)g.Key!, [.. g], own))
            .ToArray();
    }

    public bool IsEmpty => _groups.Length == 0;

    public Tensor Embeddings(Tensor tokenIds, Tensor embeddings)
    {
        foreach (var g in _groups)
        {
            if (!g.Hooks.ActsOnEmbeddings) continue;
            foreach (var s in g.All)
            {
                var rows = embeddings.narrow(0, s.Row, s.Length);
                var result = g.Hooks.Embeddings(tokenIds.narrow(0, s.Row, s.Length), rows, s.StreamStart);
                if (!ReferenceEquals(result, rows)) rows.copy_(result);
            }
        }
        return embeddings;
    }

    public Tensor BeforeLinear(LinearSite site, Tensor input)
    {
        Tensor? changed = null;
        foreach (var g in _groups)
        {
            if (!g.Hooks.ChangesInput(site)) continue;
            // Other sites read the same input: write into a copy.
            changed ??= input.clone();
            Apply(g, changed, x => g.Hooks.BeforeLinear(site, x));
        }
        return changed ?? input;
    }

    public Tensor AfterLinear(LinearSite site, Tensor input, Tensor output)
    {
        foreach (var g in _groups)
        {
            if (!g.Hooks.ActsAt(site)) continue;
            foreach (var s in g.Segments)
            {
                var rows = output.narrow(0, s.Row, s.Length);
                var result = g.Hooks.AfterLinear(site, input.narrow(0, s.Row, s.Length), rows);
                if (!ReferenceEquals(result, rows)) rows.copy_(result);
            }
            if (g.DecodeRows is { } index)
                output.index_copy_(0, index, g.Hooks.AfterLinear(site, input.index_select(0, index), output.index_select(0, index)));
        }
        return output;
    }

    public Tensor AfterNorm(NormSite site, Tensor output)
    {
        foreach (var g in _groups)
            if (g.Hooks.ActsAt(site)) Apply(g, output, y => g.Hooks.AfterNorm(site, y));
        return output;
    }

    /// <summary>target[rows] = f(target[rows]) for the group's rows.</summary>
    private static void Apply(Group g, Tensor target, Func<Tensor, Tensor> f)
    {
        foreach (var s in g.Segments)
        {
            var rows = target.narrow(0, s.Row, s.Length);
            var result = f(rows);
            if (!ReferenceEquals(result, rows)) rows.copy_(result);
        }
        if (g.DecodeRows is { } index) target.index_copy_(0, index, f(target.index_select(0, index)));
    }

    private sealed class Group
    {
        public Group(IRowHooks hooks, HookSegment[] all, Func<IEnumerable<long>, Tensor> own)
        {
            Hooks = hooks;
            All = all;
            var single = all.Where(s => s.Length == 1).ToArray();
            // One row is a narrow view like any segment; two or more go through one gather.
            bool gather = single.Length > 1;
            Segments = gather ? all.Where(s => s.Length > 1).ToArray() : all;
            DecodeRows = gather ? own(single.Select(s => (long)s.Row)) : null;
        }

        public IRowHooks Hooks { get; }
        public HookSegment[] All { get; }
        public HookSegment[] Segments { get; }
        public Tensor? DecodeRows { get; }   // [n] the adapter's single-row segments, when gathered
    }
}
