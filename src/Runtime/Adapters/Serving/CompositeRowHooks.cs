using Peft.Runtime.Models;
using TorchSharp;

namespace Peft.Runtime.Adapters.Serving;

/// <summary>Several parts of one adapter's row hooks (replaced biases, then the method's own), applied in order.</summary>
public sealed class CompositeRowHooks(IReadOnlyList<IRowHooks> parts) : IRowHooks, IDisposable
{
    /// <summary>The parts, or the only one, or null when there are none.</summary>
    public static IRowHooks? Of(params IRowHooks?[] parts)
    {
        var present = parts.OfType<IRowHooks>().ToArray();
        return present.Length switch
        {
            0 => null,
            1 => present[0],
            _ => new CompositeRowHooks(present),
        };
    }

    public bool ActsOnEmbeddings => parts.Any(p => p.ActsOnEmbeddings);

    public bool ActsAt(LinearSite site) => parts.Any(p => p.ActsAt(site));

    public bool ChangesInput(LinearSite site) => parts.Any(p => p.ChangesInput(site));

    public bool ActsAt(NormSite site) => parts.Any(p => p.ActsAt(site));

    public torch.Tensor Embeddings(torch.Tensor tokenIds, torch.Tensor embeddings, int streamStart)
    {
        foreach (var p in parts)
            if (p.ActsOnEmbeddings) embeddings = p.Embeddings(tokenIds, embeddings, streamStart);
        return embeddings;
    }

    public torch.Tensor BeforeLinear(LinearSite site, torch.Tensor x)
    {
        foreach (var p in parts)
            if (p.ChangesInput(site)) x = p.BeforeLinear(site, x);
        return x;
    }

    public torch.Tensor AfterLinear(LinearSite site, torch.Tensor x, torch.Tensor y)
    {
        foreach (var p in parts)
            if (p.ActsAt(site)) y = p.AfterLinear(site, x, y);
        return y;
    }

    public torch.Tensor AfterNorm(NormSite site, torch.Tensor y)
    {
        foreach (var p in parts)
            if (p.ActsAt(site)) y = p.AfterNorm(site, y);
        return y;
    }

    public void Dispose()
    {
        foreach (var p in parts) (p as IDisposable)?.Dispose();
    }
}
