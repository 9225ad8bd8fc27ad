using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Models;
using Peft.Runtime.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Adapters.Lora;

/// <summary>
/// LoRA's math as row hooks, the one place it is written for autograd: training runs it on its parameters at every
/// targeted site (with dropout on the LoRA input), serving on device copies for the head and the embedding (block
/// sites use the slot pool, which computes the same product batched).
///   linear:    y + s · (drop(x) · Aᵀ) · Bᵀ
///   embedding: e + s · Aᵀ[ids] · Bᵀ          (PEFT's lora_embedding_A [r, vocab], lora_embedding_B [hidden, r]; no dropout)
/// </summary>
public sealed class LoraHooks : RowHooks
{
    private readonly Dictionary<int, (Tensor A, Tensor B, Scalar Scaling)> _linears = [];
    private readonly (Tensor A, Tensor B, Scalar Scaling)? _embedding;
    private readonly Func<Tensor, Tensor>? _dropout;

    public LoraHooks(IEnumerable<(LinearSite Site, Tensor A, Tensor B, double Scaling)> linears, (Tensor A, Tensor B, double Scaling)? embedding,
        Func<Tensor, Tensor>? dropout = null)
    {
        ArgumentNullException.ThrowIfNull(linears);
        // Cached for the process (Scalars.Of): an adapter's scalings are few distinct values.
        foreach (var (site, a, b, scaling) in linears) _linears[site.Index] = (a, b, Scalars.Of(scaling));
        if (embedding is { } e) _embedding = (e.A, e.B, Scalars.Of(e.Scaling));
        _dropout = dropout;
    }

    /// <summary>Serving: device copies of the head and embedding modules (owned by the caller's device form).</summary>
    internal static LoraHooks OnDevice(DeviceContext context, LoraModule? head, LoraEmbeddingModule? embedding, List<Tensor> owned)
    {
        Tensor Copy(Tensor t)
        {
            var copy = context.Copy(t);
            owned.Add(copy);
            return copy;
        }
        return new LoraHooks(
            head is null ? [] : [(head.Site, Copy(head.A), Copy(head.B), head.Scaling)],
            embedding is null ? null : (Copy(embedding.A), Copy(embedding.B), embedding.Scaling));
    }

    public override bool ActsOnEmbeddings => _embedding is not null;

    public override bool ActsAt(LinearSite site) => _linears.ContainsKey(site.Index);

    public override Tensor Embeddings(Tensor tokenIds, Tensor embeddings, int streamStart)
    {
        var (a, b, scaling) = _embedding!.Value;
        var shrunk = a.t().index_select(0, tokenIds);                                  // [n, r]
        return embeddings.add(shrunk.matmul(b.t()).mul(scaling), Scalars.One);
    }

    public override Tensor AfterLinear(LinearSite site, Tensor x, Tensor y)
    {
        var (a, b, scaling) = _linears[site.Index];
        var input = _dropout is null ? x : _dropout(x);
        return y.add(LoraMath.Delta(input, a, b).mul(scaling), Scalars.One);
    }

}
