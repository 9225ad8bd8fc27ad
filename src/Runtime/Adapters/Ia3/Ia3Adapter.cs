using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Models;
using TorchSharp;

namespace Peft.Runtime.Adapters.Ia3;

/// <summary>An IA³ adapter: one scaling vector per targeted linear, served as row hooks over device copies.</summary>
public sealed class Ia3Adapter(string name, IReadOnlyDictionary<LinearSite, torch.Tensor> vectors, IReadOnlySet<LinearSite> feedForward)
    : HostAdapter(name, Ia3Method.Type)
{
    /// <summary>Per targeted site: l, flattened ([in] for feed-forward modules, [out] for the others).</summary>
    public IReadOnlyDictionary<LinearSite, torch.Tensor> Vectors { get; } = vectors;

    public IReadOnlySet<LinearSite> FeedForward { get; } = feedForward;

    public override long SizeBytes => Vectors.Values.Sum(Bytes);

    public override IReadOnlyList<string> TargetModules => Vectors.Keys.Select(s => s.Name).Distinct().Order(StringComparer.Ordinal).ToArray();

    public override DeviceAdapter ToDevice(DeviceContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var copies = Vectors.ToDictionary(p => p.Key, p => context.Copy(p.Value));
        var hooks = new Ia3Hooks(
            copies.Where(p => FeedForward.Contains(p.Key)).ToDictionary(p => p.Key.Index, p => p.Value),
            copies.Where(p => !FeedForward.Contains(p.Key)).ToDictionary(p => p.Key.Index, p => p.Value));
        return new SingleBindingDevice(new RowHooksBinding(hooks), copies.Values);
    }

    protected override void DisposeTensors()
    {
        foreach (var t in Vectors.Values) t.Dispose();
    }
}
