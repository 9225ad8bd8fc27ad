using Peft.Runtime.Adapters.Lora;
using Peft.Runtime.Adapters.Serving;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Adapters.Dora;

/// <summary>
/// A DoRA adapter: LoRA factors plus a magnitude per module. On the device (see <see cref="DoraMath"/>) the block
/// factors share the LoRA slot pool with g·s folded into B, so DoRA rows batch with every other LoRA, and the
/// rescaling of the base output is a row hook with g and (1 − g)·b per module (b the bias the layer adds, the
/// adapter's own with bias="all"). The head and the embedding keep
/// LoRA's row hooks, whose result is then scaled by their g (neither has a bias):
///   head:      y' = g ⊙ (y + s·B·A·x),             g = m / ‖W_head + s·B·A‖ per vocabulary row
///   embedding: e' = g ⊙ (e + s·Aᵀ[ids]·Bᵀ),         g = m / ‖Eᵀ + s·B·A‖ per hidden channel
/// Every g is computed once, when the adapter is put on the device, from the base weight the model runs (on an
/// INT8 base the dequantized one, a block at a time: <see cref="BaseNorms"/>).
/// </summary>
public sealed class DoraAdapter(LoraAdapter lora, IReadOnlyDictionary<int, Tensor> magnitudes) : HostAdapter(lora.Name, lora.PeftType)
{
    public LoraAdapter Lora { get; } = lora;

    /// <summary>Per block site index: m [out].</summary>
    public IReadOnlyDictionary<int, Tensor> Magnitudes { get; } = magnitudes;

    /// <summary>[vocab] when the head is targeted.</summary>
    public Tensor? HeadMagnitude { get; init; }

    /// <summary>[hidden] when the embedding is targeted.</summary>
    public Tensor? EmbeddingMagnitude { get; init; }

    private IEnumerable<Tensor> AllMagnitudes => Magnitudes.Values.Concat(new[] { HeadMagnitude, EmbeddingMagnitude }.OfType<Tensor>());

    public override long SizeBytes => Lora.SizeBytes + AllMagnitudes.Sum(Bytes);

    /// <summary>g and (1 − g)·b per module, and the head's and embedding's factors.</summary>
    public override long DeviceBytes => 2 * AllMagnitudes.Sum(Bytes) + Lora.DeviceBytes;

    public override int Rank => Lora.Rank;

    public override int SlotRank => Lora.SlotRank;

    public override IReadOnlyList<string> TargetModules => Lora.TargetModules;

    public override DeviceAdapter ToDevice(DeviceContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var model = context.Model;
        var owned = new List<Tensor>();
        var scales = new Dictionary<int, (Tensor G, Tensor? Offset)>();
        var factors = new List<SlotFactors>();
        Tensor? embeddingScale = null;
        using (var scope = NewDisposeScope())
        {
            foreach (var module in Lora.Modules.Values)
            {
                var site = module.Site;
                var a = module.A.to(model.Dtype, model.Device);
                var b = module.B.to(model.Dtype, model.Device);
                using var s = module.Scaling.ToScalar();
                var g = Magnitudes[site.Index].to(model.Dtype, model.Device).div(BaseNorms.Rows(model.SiteWeight(site), model.Dtype, a, b, s));
                factors.Add(new SlotFactors(site, a, b.to(ScalarType.Float32).mul(s).mul(g.to(ScalarType.Float32).unsqueeze(1)).to(b.dtype)));
                // The bias the layer adds once the adapter's replacement (bias="all") is in.
                var bias = Lora.Biases?.Linears.GetValueOrDefault(site) is { } replaced ? context.View(replaced) : model.SiteBias(site);
                var offset = bias is null ? null : bias.mul(ones_like(g).sub_(g));
                scales[site.Index] = (Keep(g, owned), offset is null ? null : Keep(offset, owned));
            }
            if (factors.Count > 0) context.Pool!.Load(context.Slot, factors, Name);
            if (Lora.Head is { } head)
            {
                using var s = head.Scaling.ToScalar();
                var g = HeadMagnitude!.to(model.Dtype, model.Device).div(BaseNorms.Rows(model.SiteWeight(head.Site), model.Dtype, context.View(head.A), context.View(head.B), s));
                scales[head.Site.Index] = (Keep(g, owned), null);
            }
            if (Lora.Embedding is { } e)
            {
                using var s = e.Scaling.ToScalar();
                var g = EmbeddingMagnitude!.to(model.Dtype, model.Device).div(BaseNorms.Columns(model.EmbeddingWeight, model.Dtype, context.View(e.A), context.View(e.B), s));
                embeddingScale = Keep(g, owned);
            }
        }
        var lora = Lora.Head is null && Lora.Embedding is null ? null : LoraHooks.OnDevice(context, Lora.Head, Lora.Embedding, owned);
        // Replaced biases first: DoRA rescales the output the layer gives with them.
        var hooks = CompositeRowHooks.Of(Lora.Biases?.ToDevice(context, owned), lora, new DoraRescaleHooks(scales, embeddingScale));
        return new SlotAdapterDevice(factors.Count > 0 ? context.Slot : -1, hooks, owned);
    }

    private static Tensor Keep(Tensor t, List<Tensor> owned)
    {
        var kept = t.MoveToOuterDisposeScope().DetachFromDisposeScope();
        owned.Add(kept);
        return kept;
    }

    protected override void DisposeTensors()
    {
        Lora.Dispose();
        foreach (var m in AllMagnitudes) m.Dispose();
    }
}
