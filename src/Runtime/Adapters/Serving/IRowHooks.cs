using Peft.Runtime.Models;
using TorchSharp;

namespace Peft.Runtime.Adapters.Serving;

/// <summary>
/// What one adapter does to its own rows at the model's hook points: the method's math, written once over plain
/// tensors. Serving calls it with device copies on the rows of its sequences (gathered per adapter); training
/// calls it with parameters on every row of the batch, under autograd. Implementations never modify their
/// arguments in place and call nothing at sites where <c>ActsAt</c> is false.
/// </summary>
public interface IRowHooks
{
    bool ActsOnEmbeddings { get; }

    /// <summary>Whether <see cref="AfterLinear"/> changes this site's output.</summary>
    bool ActsAt(LinearSite site);

    /// <summary>Whether <see cref="BeforeLinear"/> changes this site's input (IA³'s feed-forward scaling).</summary>
    bool ChangesInput(LinearSite site);

    bool ActsAt(NormSite site);

    /// <param name="tokenIds">[n] int64</param>
    /// <param name="embeddings">[n, hidden]: stream positions streamStart .. streamStart+n-1 of one sequence</param>
    torch.Tensor Embeddings(torch.Tensor tokenIds, torch.Tensor embeddings, int streamStart);

    /// <param name="x">[n, in]</param>
    torch.Tensor BeforeLinear(LinearSite site, torch.Tensor x);

    /// <param name="x">[n, in]</param>
    /// <param name="y">[n, out], the base result (bias included)</param>
    torch.Tensor AfterLinear(LinearSite site, torch.Tensor x, torch.Tensor y);

    /// <param name="y">[n, features], the norm's result (bias included)</param>
    torch.Tensor AfterNorm(NormSite site, torch.Tensor y);
}

/// <summary>Row hooks that act nowhere until a method overrides what it does.</summary>
public abstract class RowHooks : IRowHooks
{
    public virtual bool ActsOnEmbeddings => false;

    public virtual bool ActsAt(LinearSite site) => false;

    public virtual bool ChangesInput(LinearSite site) => false;

    public virtual bool ActsAt(NormSite site) => false;

    public virtual torch.Tensor Embeddings(torch.Tensor tokenIds, torch.Tensor embeddings, int streamStart) => embeddings;

    public virtual torch.Tensor BeforeLinear(LinearSite site, torch.Tensor x) => x;

    public virtual torch.Tensor AfterLinear(LinearSite site, torch.Tensor x, torch.Tensor y) => y;

    public virtual torch.Tensor AfterNorm(NormSite site, torch.Tensor y) => y;
}
