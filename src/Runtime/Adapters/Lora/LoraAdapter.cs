using Peft.Runtime.Models;
using TorchSharp;

namespace Peft.Runtime.Adapters.Lora;

/// <summary>One targeted linear layer: y += scaling · B(A(x)).</summary>
/// <param name="A">[rank, in]</param>
/// <param name="B">[out, rank]</param>
public sealed record LoraModule(LinearSite Site, torch.Tensor A, torch.Tensor B, int Rank, double Scaling);

/// <summary>A LoRA adapter: its modules keyed by <see cref="LinearSite.Index"/>.</summary>
public sealed class LoraAdapter : HostAdapter
{
    public LoraAdapter(string name, IReadOnlyDictionary<int, LoraModule> modules) : base(name, LoraMethod.Type)
    {
        Modules = modules;
    }

    public IReadOnlyDictionary<int, LoraModule> Modules { get; }

    public override long SizeBytes => Modules.Values.Sum(m => Bytes(m.A) + Bytes(m.B));

    public override int Rank => Modules.Values.Max(m => m.Rank);

    public override IReadOnlyList<string> TargetModules => Modules.Values.Select(m => m.Site.Name).Distinct().Order(StringComparer.Ordinal).ToArray();

    protected override void DisposeTensors()
    {
        foreach (var m in Modules.Values)
        {
            m.A.Dispose();
            m.B.Dispose();
        }
    }
}
