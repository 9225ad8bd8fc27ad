using Peft.Runtime.Models.Layers;
using Peft.Runtime.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Adapters.Serving;

/// <summary>
/// Some of a step's rows and the slots they use, with the low-rank product split in two so that the sites reading
/// one input can share the first half. Semantics, for the part's rows R and their slots s(R):
///   shrunk    = x[R] · A[s(R)]ᵀ                     A: [slots, rank·G, in], G sites interleaved (G = 1: one site)
///   output[R] += columns_g(shrunk) · B[s(R)]ᵀ       B: [slots, out, rank], columns_g = g, G+g, 2G+g, ...
/// (a shared shrink is regrouped by <see cref="BySite"/> before the expands read it).
/// which is (x · A_gᵀ) · B_gᵀ for site g, the delta of <see cref="LoraMath.Delta"/>. One slot's shrink goes through
/// <see cref="Linears"/> like the base's products (the float32 kernel where it applies, which does not wake libtorch's
/// threads for a product of a few hundred kilobytes), and its expand is added into the output in place
/// (<see cref="FloatProducts.AddLowRank(Tensor, Tensor, Tensor, Tensor?)"/>) where that kernel applies.
/// </summary>
internal abstract class SlotPart
{
    public abstract Tensor Shrink(Tensor input, Tensor a);

    public abstract void Expand(Tensor shrunk, Tensor b, Tensor output, int g, int groupSize);

    /// <summary>A shrink over G interleaved sites, [.., rank·G], regrouped by site as [.., G, rank] (one small copy), so
    /// that each site's columns are a matrix with unit stride that the expand's product reads as it is.</summary>
    public static Tensor BySite(Tensor shrunk, int groupSize)
    {
        long[] shape = [.. shrunk.shape[..^1], -1, groupSize];
        return shrunk.view(shape).transpose(-1, -2).contiguous();
    }

    /// <summary>Site g's columns: the shrink itself for one site, else row g of <see cref="BySite"/>'s [.., G, rank].</summary>
    protected static Tensor Columns(Tensor shrunk, int g, int groupSize) => groupSize == 1 ? shrunk : shrunk.select(-2, g);
}

/// <summary>Rows [row, row + length) on one slot, as views: a prefill chunk, or every row of the only adapter.</summary>
internal sealed class RunPart(int row, int length, int slot) : SlotPart
{
    public override Tensor Shrink(Tensor input, Tensor a) => Linears.Apply(input.narrow(0, row, length), a.select(0, slot), null);

    public override void Expand(Tensor shrunk, Tensor b, Tensor output, int g, int groupSize)
    {
        var (columns, factor, target) = (Columns(shrunk, g, groupSize), b.select(0, slot), output.narrow(0, row, length));
        if (FloatProducts.AddLowRank(target, columns, factor)) return;
        // A prefill chunk's delta is as large as the site's output: freed now, not with the layer.
        using var delta = Linears.Apply(columns, factor, null);
        target.add_(delta, Scalars.One);
    }
}

/// <summary>Rows apart from each other, all on one slot: gathered once, then the slot's own A and B.</summary>
internal sealed class RowsPart(Tensor rows, int slot) : SlotPart
{
    public override Tensor Shrink(Tensor input, Tensor a) => Linears.Apply(input.index_select(0, rows), a.select(0, slot), null);

    public override void Expand(Tensor shrunk, Tensor b, Tensor output, int g, int groupSize)
    {
        var (columns, factor) = (Columns(shrunk, g, groupSize), b.select(0, slot));
        if (!FloatProducts.AddLowRank(output, columns, factor, rows))
            output.index_add_(0, rows, Linears.Apply(columns, factor, null), Scalars.One);
    }
}

/// <summary>BGMV: each row's A and B gathered from the pools, two batched products over all rows.</summary>
internal sealed class GatherPart(Tensor rows, Tensor slots) : SlotPart
{
    public override Tensor Shrink(Tensor input, Tensor a) =>
        a.index_select(0, slots).bmm(input.index_select(0, rows).unsqueeze(-1)).squeeze(-1);                  // [n, rank·G]

    public override void Expand(Tensor shrunk, Tensor b, Tensor output, int g, int groupSize)
    {
        var delta = b.index_select(0, slots).bmm(Columns(shrunk, g, groupSize).unsqueeze(-1)).squeeze(-1);    // [n, out]
        output.index_add_(0, rows, delta, Scalars.One);
    }
}
