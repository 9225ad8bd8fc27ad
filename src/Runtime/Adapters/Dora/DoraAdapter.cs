using Peft.Runtime.Adapters.Lora;
using Peft.Runtime.Adapters.Serving;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Adapters.Dora;

/// <summary>
/// A DoRA adapter: LoRA factors plus a magnitude [out] per module. On the device (see <see cref="DoraMath"/>) the
/// factors share the LoRA slot pool with g·s folded into B, so DoRA rows batch with every other LoRA, and the
/// rescaling of the base output is a row hook with g and (1 − g)·b per module.
/// </summary>
public sealed class DoraAdapter(LoraAdapter lora, IReadOnlyDictionary<int, Tensor> magnitudes) : HostAdapter(lora.Name, lora.PeftType)
{
    public LoraAdapter Lora { get; } = lora;

    /// <summary>Per block site index: m [out].</summary>
    public IReadOnlyDictionary<int, Tensor> Magnitudes { get; } = magnitudes;

    public override long SizeBytes => Lora.SizeBytes + Magnitudes.Values.Sum(Bytes);

    /// <summary>g and (1 − g)·b per module.</summary>
    public override long DeviceBytes => 2 * Magnitudes.Values.Sum(Bytes);

    public override int Rank => Lora.Rank;

    public override int SlotRank => Lora.SlotRank;

    public override IReadOnlyList<string> TargetModules => Lora.TargetModules;

    public override DeviceAdapter ToDevice(DeviceContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var model = context.Model;
        var owned = new List<Tensor>();
        var scales = new Dictionary<int, (Tensor G, Tensor? Offset)>();
        using (var scope = NewDisposeScope())
        {
            var factors = new List<SlotFactors>();
            foreach (var module in Lora.Modules.Values)
            {
                var site = module.Site;
                var a = module.A.to(model.Dtype, model.Device);
                var b = module.B.to(model.Dtype, model.Device);
                using var s = module.Scaling.ToScalar();
                var g = Magnitudes[site.Index].to(model.Dtype, model.Device).div(DoraMath.WeightNorm(model.SiteWeight(site), a, b, s));
                factors.Add(new SlotFactors(site, a, b.to(ScalarType.Float32).mul(s).mul(g.to(ScalarType.Float32).unsqueeze(1)).to(b.dtype)));
                var offset = model.SiteBias(site) is { } bias ? bias.mul(g.neg().add_(Torch.Scalars.One)) : null;
                scales[site.Index] = (Keep(g, owned), offset is null ? null : Keep(offset, owned));
            }
            context.Pool!.Load(context.Slot, factors, Name);
        }
        return new SlotAdapterDevice(context.Slot, new DoraRescaleHooks(scales), owned);
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
        foreach (var m in Magnitudes.Values) m.Dispose();
    }
}
