using System.Diagnostics;
using Peft.Runtime.Models;
using Peft.Runtime.Models.Attention;
using TorchSharp;

namespace Peft.LoadTests.Benchmarks;

/// <summary>Attention that adds the time spent in it (KV write included) to <see cref="Seconds"/>.
/// On the CPU every op is synchronous, so wall time around the call is the call's cost.</summary>
internal sealed class TimedAttention(IAttentionBackend inner) : IAttentionBackend
{
    public double Seconds { get; private set; }

    public torch.Tensor Attend(int layer, torch.Tensor q, torch.Tensor k, torch.Tensor v)
    {
        long start = Stopwatch.GetTimestamp();
        var result = inner.Attend(layer, q, k, v);
        Seconds += Stopwatch.GetElapsedTime(start).TotalSeconds;
        return result;
    }
}

/// <summary>Adapter hooks that add the time spent in adapter work at the linear sites to <see cref="LoraSeconds"/>.</summary>
internal sealed class TimedHooks(IForwardHooks inner) : IForwardHooks
{
    public double LoraSeconds { get; private set; }

    public torch.Tensor TransformEmbeddings(torch.Tensor tokenIds, torch.Tensor embeddings) => inner.TransformEmbeddings(tokenIds, embeddings);

    public torch.Tensor BeforeLinear(LinearSite site, torch.Tensor input)
    {
        long start = Stopwatch.GetTimestamp();
        var result = inner.BeforeLinear(site, input);
        LoraSeconds += Stopwatch.GetElapsedTime(start).TotalSeconds;
        return result;
    }

    public torch.Tensor AfterLinear(LinearSite site, torch.Tensor input, torch.Tensor output)
    {
        long start = Stopwatch.GetTimestamp();
        var result = inner.AfterLinear(site, input, output);
        LoraSeconds += Stopwatch.GetElapsedTime(start).TotalSeconds;
        return result;
    }

    public torch.Tensor AfterNorm(NormSite site, torch.Tensor output) => inner.AfterNorm(site, output);
}
