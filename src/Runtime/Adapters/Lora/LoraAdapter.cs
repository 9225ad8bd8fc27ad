using Peft.Runtime.Adapters.Bias;
using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Adapters.Lora;

/// <summary>One targeted linear layer: y += scaling · B(A(x)).</summary>
/// <param name="A">[rank, in]</param>
/// <param name="B">[out, rank]</param>
public sealed record LoraModule(LinearSite Site, Tensor A, Tensor B, int Rank, double Scaling);

/// <summary>LoRA on the token embedding: e += scaling · A[:, id]ᵀ · Bᵀ.</summary>
/// <param name="A">[rank, vocab]</param>
/// <param name="B">[hidden, rank]</param>
public sealed record LoraEmbeddingModule(Tensor A, Tensor B, int Rank, double Scaling);

/// <summary>
/// A low-rank adapter (LoRA, and AdaLoRA's inference form): block modules keyed by <see cref="LinearSite.Index"/>
/// go into a LoRA slot with the scaling folded into B; the LM head, the embedding and replaced biases are served as
/// row hooks over device copies.
/// </summary>
public sealed class LoraAdapter : HostAdapter
{
    public LoraAdapter(string name, IReadOnlyDictionary<int, LoraModule> modules, string peftType = LoraMethod.Type) : base(name, peftType)
    {
        Modules = modules;
    }

    /// <summary>Modules of the decoder blocks (the slot's content).</summary>
    public IReadOnlyDictionary<int, LoraModule> Modules { get; }

    public LoraModule? Head { get; init; }

    public LoraEmbeddingModule? Embedding { get; init; }

    /// <summary>Base biases the file replaces (bias="all").</summary>
    public BiasOverrides? Biases { get; init; }

    private IEnumerable<Tensor> OffSlotTensors =>
        new[] { Head?.A, Head?.B, Embedding?.A, Embedding?.B }.OfType<Tensor>().Concat(Biases is null ? [] : Biases.Linears.Values.Concat(Biases.Norms.Values));

    public override long SizeBytes => Modules.Values.Sum(m => Bytes(m.A) + Bytes(m.B)) + OffSlotTensors.Sum(Bytes);

    public override long DeviceBytes => OffSlotTensors.Sum(Bytes);

    public override int Rank => Modules.Values.Select(m => m.Rank).Append(Head?.Rank ?? 0).Append(Embedding?.Rank ?? 0).Max();

    public override int SlotRank => Modules.Count == 0 ? 0 : Modules.Values.Max(m => m.Rank);

    public override IReadOnlyList<string> TargetModules => Modules.Values.Select(m => m.Site.Name)
        .Concat(Head is null ? [] : [Head.Site.Name]).Concat(Embedding is null ? [] : ["embedding"])
        .Distinct().Order(StringComparer.Ordinal).ToArray();

    /// <summary>The slot's content: each module's A and B with the scaling folded into B (in float32, then the dtype).</summary>
    public IReadOnlyList<SlotFactors> SlotFactors() => Modules.Values.Select(m =>
    {
        using var scaling = m.Scaling.ToScalar();
        return new SlotFactors(m.Site, m.A, m.B.to(ScalarType.Float32).mul(scaling).to(m.B.dtype));
    }).ToArray();

    public override DeviceAdapter ToDevice(DeviceContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var owned = new List<Tensor>();
        using (var scope = NewDisposeScope())
            if (Modules.Count > 0) context.Pool!.Load(context.Slot, SlotFactors(), Name);
        var lora = Head is null && Embedding is null ? null : LoraHooks.OnDevice(context, Head, Embedding, owned);
        var hooks = CompositeRowHooks.Of(Biases?.ToDevice(context, owned), lora);
        return new SlotAdapterDevice(Modules.Count > 0 ? context.Slot : -1, hooks, owned);
    }

    protected override void DisposeTensors()
    {
        foreach (var m in Modules.Values)
        {
            m.A.Dispose();
            m.B.Dispose();
        }
        foreach (var t in OffSlotTensors) t.Dispose();
    }
}
