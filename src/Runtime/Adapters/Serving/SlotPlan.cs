using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Adapters.Serving;

/// <summary>
/// How one step applies the slots that target a site to their rows, as parts (<see cref="SlotPart"/>): sites
/// targeted by the same slots share one plan. Multi-row segments (prefill chunks) are runs; single rows (decode)
/// go through one part: the only slot's own product (<see cref="LoraFastPaths.OneSlot"/>), BGMV or SGMV; with SGMV a
/// slot holding most rows takes its own product beside the others' SGMV, so they are not padded to its count.
/// </summary>
internal sealed class SlotPlan
{
    private readonly SlotPart[] _parts;
    private readonly IReadOnlyList<LoraSegment> _included;
    private LanePiece[]? _pieces;

    private SlotPlan(SlotPart[] parts, IReadOnlyList<LoraSegment> included) => (_parts, _included) = (parts, included);

    /// <summary>What the plan runs where <see cref="FusedSlotLane"/> does not (tests check which path a batch took).</summary>
    internal IReadOnlyList<SlotPart> Parts => _parts;

    /// <summary>Whether the fused lane takes this plan's rows: all but one slot's own product over its rows, which
    /// already runs as one split over the threads.</summary>
    public bool Fusable => _parts.Length > 1 || _parts[0] is SegmentPart or GatherPart;

    /// <summary>The plan's rows in pieces for <see cref="FusedSlotLane"/>, made on first use.</summary>
    public LanePiece[] Pieces => _pieces ??= LanePiece.Of(_included);

    /// <param name="included">The step's segments whose slot targets the site, in row order.</param>
    public static SlotPlan For(IReadOnlyList<LoraSegment> included, LoraKernel kernel, LoraFastPaths paths, Func<IEnumerable<long>, Tensor> own)
    {
        bool oneSlot = (paths & LoraFastPaths.OneSlot) != 0;
        if (oneSlot && Adjacent(included)) return new([new RunPart(included[0].Row, included.Sum(s => s.Length), included[0].Slot)], included);
        var parts = included.Where(s => s.Length > 1).Select(s => (SlotPart)new RunPart(s.Row, s.Length, s.Slot)).ToList();
        var decode = included.Where(s => s.Length == 1).ToArray();
        if (decode.Length > 0) AddDecode(parts, decode, kernel, oneSlot, own);
        return new([.. parts], included);
    }

    public Tensor[] Shrink(Tensor input, Tensor a)
    {
        var shrunk = new Tensor[_parts.Length];
        for (int i = 0; i < _parts.Length; i++) shrunk[i] = _parts[i].Shrink(input, a);
        return shrunk;
    }

    public Tensor Expand(Tensor[] shrunk, Tensor b, Tensor output, int g, int groupSize)
    {
        for (int i = 0; i < _parts.Length; i++) _parts[i].Expand(shrunk[i], b, output, g, groupSize);
        return output;
    }

    private static void AddDecode(List<SlotPart> parts, LoraSegment[] decode, LoraKernel kernel, bool oneSlot, Func<IEnumerable<long>, Tensor> own)
    {
        if (oneSlot)
        {
            var bySlot = decode.GroupBy(s => s.Slot).ToArray();
            if (bySlot.Length == 1)
            {
                parts.Add(Adjacent(decode) ? new RunPart(decode[0].Row, decode.Length, decode[0].Slot) : new RowsPart(own(decode.Select(s => (long)s.Row)), decode[0].Slot));
                return;
            }
            // One slot dominates: SGMV would pad every other slot's rows to its count, more padding than real rows.
            var largest = bySlot.MaxBy(g => g.Count())!;
            if (kernel == LoraKernel.Segment && largest.Count() * bySlot.Length > 2 * decode.Length)
            {
                AddDecode(parts, [.. largest], kernel, oneSlot, own);
                AddDecode(parts, [.. decode.Where(s => s.Slot != largest.Key)], kernel, oneSlot, own);
                return;
            }
        }
        parts.Add(kernel == LoraKernel.Gather
            ? new GatherPart(own(decode.Select(s => (long)s.Row)), own(decode.Select(s => (long)s.Slot)))
            : new SegmentPart(decode, own));
    }

    /// <summary>One slot, and each segment starts where the one before it ends.</summary>
    private static bool Adjacent(IReadOnlyList<LoraSegment> segments)
    {
        for (int i = 1; i < segments.Count; i++)
            if (segments[i].Slot != segments[0].Slot || segments[i].Row != segments[i - 1].Row + segments[i - 1].Length) return false;
        return true;
    }
}
