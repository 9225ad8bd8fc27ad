using Peft.Runtime.Safetensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Adapters;

/// <summary>Checked reads of an adapter's tensors: present, the expected shape, finite, in the base dtype on the CPU.</summary>
internal static class AdapterTensors
{
    public static Tensor Load(AdapterFiles files, SafetensorsFile weights, string key, long[] expected, ScalarType dtype, string? shapeHint = null)
    {
        if (!weights.TryGetInfo(key, out var info))
            throw new AdapterLoadException($"adapter '{files.Name}': tensor '{key}' is missing");
        if (!info.Shape.SequenceEqual(expected))
            throw new AdapterLoadException(
                $"adapter '{files.Name}': tensor '{key}' has shape {Shape(info.Shape)}, expected {Shape(expected)}{(shapeHint is null ? "" : $" ({shapeHint})")}");
        using var scope = NewDisposeScope();
        var values = weights.Load(key, ScalarType.Float32, CPU);
        if (!values.isfinite().all().item<bool>())
            throw new AdapterLoadException($"adapter '{files.Name}': tensor '{key}' contains NaN or Inf");
        return values.to(dtype).MoveToOuterDisposeScope().DetachFromDisposeScope();
    }

    public static string Shape(IEnumerable<long> shape) => $"[{string.Join(", ", shape)}]";
}
