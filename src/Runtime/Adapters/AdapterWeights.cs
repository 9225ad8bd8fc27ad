using Peft.Runtime.Safetensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Adapters;

/// <summary>
/// An adapter's weights file as a method reads it: checked loads (<see cref="AdapterTensors"/>) that remember which
/// tensors were used, so a method ends with <see cref="RefuseOthers"/> and a tensor nobody reads is refused by name,
/// never ignored. Owns what it loaded until <see cref="Keep"/>: a read that fails half-way leaks nothing.
/// </summary>
internal sealed class AdapterWeights(AdapterFiles files, SafetensorsFile file, ScalarType dtype) : IDisposable
{
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);
    private readonly List<Tensor> _owned = [];

    public AdapterFiles Files => files;

    public ScalarType Dtype => dtype;

    public bool Has(string key) => file.TryGetInfo(key, out _);

    /// <returns>The stored shape, or null when the tensor is absent.</returns>
    public long[]? Shape(string key) => file.TryGetInfo(key, out var info) ? [.. info.Shape] : null;

    /// <summary>A present, finite tensor of exactly <paramref name="shape"/>, in the base dtype on the CPU.</summary>
    public Tensor Take(string key, long[] shape, string? hint = null) =>
        Own(AdapterTensors.Load(files, file, key, shape, dtype, hint), key);

    /// <summary>Frees a loaded tensor the host form does not keep (it stays counted as read).</summary>
    public void Drop(Tensor tensor)
    {
        _owned.Remove(tensor);
        tensor.Dispose();
    }

    /// <summary>Registers a tensor computed from loaded ones, owned like them.</summary>
    public Tensor Own(Tensor tensor, string? key = null)
    {
        if (key is not null) _taken.Add(key);
        _owned.Add(tensor.DetachFromDisposeScope());
        return tensor;
    }

    /// <summary>Throws naming the first tensor of the file no part of the method read.</summary>
    public void RefuseOthers(string what)
    {
        string? extra = file.Names.Order(StringComparer.Ordinal).FirstOrDefault(n => !_taken.Contains(n));
        if (extra is not null) throw new AdapterLoadException($"adapter '{files.Name}': unexpected tensor '{extra}' ({what})");
    }

    /// <summary>The loaded tensors now belong to the host form built from them.</summary>
    public void Keep() => _owned.Clear();

    public void Dispose()
    {
        foreach (var t in _owned) t.Dispose();
        _owned.Clear();
    }
}
