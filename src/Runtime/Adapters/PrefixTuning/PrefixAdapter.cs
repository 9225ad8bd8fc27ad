using Peft.Runtime.Adapters.Serving;
using TorchSharp;

namespace Peft.Runtime.Adapters.PrefixTuning;

/// <summary>
/// Prefix tuning at inference: per layer, keys and values [virtual tokens, kv_heads, head_dim] that act as an
/// initial KV cache. They carry no RoPE (used as stored), every real token attends to all of them, and real tokens
/// take positions from the number of virtual tokens on.
/// </summary>
public sealed class PrefixAdapter : HostAdapter
{
    public PrefixAdapter(string name, IReadOnlyList<torch.Tensor> keys, IReadOnlyList<torch.Tensor> values) : base(name, PrefixTuningMethod.Type)
    {
        Keys = keys;
        Values = values;
    }

    /// <summary>Per layer: [virtual tokens, kv_heads, head_dim].</summary>
    public IReadOnlyList<torch.Tensor> Keys { get; }

    /// <summary>Per layer: [virtual tokens, kv_heads, head_dim].</summary>
    public IReadOnlyList<torch.Tensor> Values { get; }

    public override long SizeBytes => Keys.Sum(Bytes) + Values.Sum(Bytes);

    public override int VirtualTokens => (int)Keys[0].size(0);

    public override DeviceAdapter ToDevice(DeviceContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var keys = Keys.Select(context.Copy).ToArray();
        var values = Values.Select(context.Copy).ToArray();
        return new SingleBindingDevice(new PrefixBinding(keys, values), [.. keys, .. values]);
    }

    protected override void DisposeTensors()
    {
        foreach (var t in Keys) t.Dispose();
        foreach (var t in Values) t.Dispose();
    }
}
