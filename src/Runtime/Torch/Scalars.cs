using System.Collections.Concurrent;
using TorchSharp;

namespace Peft.Runtime.Torch;

/// <summary>
/// Scalars that outlive every native call using them. TorchSharp converts numbers to <see cref="Scalar"/> objects
/// implicitly and passes only their native handle on, so a temporary Scalar is unreachable during the call and a
/// garbage collection can finalize (free) it mid-operation: seen as "Unknown scalar type" and c10 assertion failures
/// under load. Hot paths therefore use these long-lived instances (or a <c>using</c> Scalar) and the tensor-tensor
/// overloads that take an explicit alpha, never the ones that create an alpha of 1 behind the call. The analyzer
/// PEFT001 (src/Analyzers) refuses every other form at build time.
/// </summary>
public static class Scalars
{
    private static readonly ConcurrentDictionary<double, Scalar> Cache = new();

    public static Scalar One { get; } = 1.0.ToScalar();

    public static Scalar NegativeInfinity { get; } = float.NegativeInfinity.ToScalar();

    /// <summary>A cached Scalar for a value used on every step (a norm's epsilon, an attention scale). Keep the set of
    /// distinct values small: they live for the process.</summary>
#pragma warning disable PEFT001 // Not a temporary: the cache holds it for the life of the process.
    public static Scalar Of(double value) => Cache.GetOrAdd(value, v => v.ToScalar());
#pragma warning restore PEFT001
}
