using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Adapters.Lora;

/// <summary>One targeted linear layer: y += scaling · B(A(x)).</summary>
/// <param name="A">[rank, in]</param>
/// <param name="B">[out, rank]</param>
public sealed record LoraModule(LinearSite Site, Tensor A, Tensor B, int Rank, double Scaling);

/// <summary>
/// A low-rank adapter: block modules keyed by <see cref="LinearSite.Index"/>, held in a LoRA slot with the scaling
/// folded into B.
/// </summary>
public sealed class LoraAdapter : HostAdapter
{
    public LoraAdapter(string name, IReadOnlyDictionary<int, LoraModule> modules, string peftType = LoraMethod.Type) : base(name, peftType)
    {
        Modules = modules;
    }

    /// <summary>Modules of the decoder blocks (the slot's content).</summary>
    public IReadOnlyDictionary<int, LoraModule> Modules { get; }

    public override long SizeBytes => Modules.Values.Sum(m => Bytes(m.A) + Bytes(m.B));

    public override int Rank => Modules.Values.Max(m => m.Rank);

    public override int SlotRank => Rank;

    public override IReadOnlyList<string> TargetModules => Modules.Values.Select(m => m.Site.Name).Distinct().Order(StringComparer.Ordinal).ToArray();

    /// <summary>The slot's content: each module's A and B with the scaling folded into B (in float32, then the dtype).</summary>
    public IReadOnlyList<SlotFactors> SlotFactors() => Modules.Values.Select(m =>
    {
        using var scaling = m.Scaling.ToScalar();
        return new SlotFactors(m.Site, m.A, m.B.to(ScalarType.Float32).mul(scaling).to(m.B.dtype));
    }).ToArray();

    public override DeviceAdapter ToDevice(DeviceContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        using (var scope = NewDisposeScope()) context.Pool!.Load(context.Slot, SlotFactors(), Name);
        return new SlotAdapterDevice(context.Slot, null, []);
    }

    protected override void DisposeTensors()
    {
        foreach (var m in Modules.Values)
        {
            m.A.Dispose();
            m.B.Dispose();
        }
    }
}
