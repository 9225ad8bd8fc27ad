using TorchSharp;

namespace Peft.Runtime.Models;

/// <summary>
/// What an adapter may change in a forward pass, and nothing more. The model calls these at its hook points; the
/// remaining one (prefix key/values) lives in the attention backend, because at serve time a prefix is simply cache
/// content. Sites marked <c>IsHead</c> see only the rows that need logits (<see cref="ForwardBatch.LogitRows"/>).
/// </summary>
public interface IForwardHooks
{
    /// <summary>After the token embedding (before GPT-2's position embedding): virtual tokens, embedding deltas.</summary>
    /// <param name="tokenIds">[tokens] int64</param>
    /// <param name="embeddings">[tokens, hidden]</param>
    /// <returns>[tokens, hidden]; the same tensor when nothing changes.</returns>
    torch.Tensor TransformEmbeddings(torch.Tensor tokenIds, torch.Tensor embeddings);

    /// <summary>Before a linear layer: the input the base weights see (IA³ feed-forward scaling).</summary>
    /// <param name="input">[tokens, in]; never modified in place (other sites read it too)</param>
    /// <returns>[tokens, in]; <paramref name="input"/> itself when no row changes.</returns>
    torch.Tensor BeforeLinear(LinearSite site, torch.Tensor input);

    /// <summary>After a linear layer: adds deltas and rescales the rows that have an adapter here (in place or not).</summary>
    /// <param name="input">[tokens, in], as <see cref="BeforeLinear"/> returned it</param>
    /// <param name="output">[tokens, out], the base layer's result, bias included</param>
    /// <returns>[tokens, out]; <paramref name="output"/> itself when no row of this batch adapts this site.</returns>
    torch.Tensor AfterLinear(LinearSite site, torch.Tensor input, torch.Tensor output);

    /// <summary>After a LayerNorm (bias included): a replaced bias (PEFT's bias="all").</summary>
    torch.Tensor AfterNorm(NormSite site, torch.Tensor output);
}

/// <summary>The base model alone.</summary>
public sealed class NoHooks : IForwardHooks
{
    public static NoHooks Instance { get; } = new();

    private NoHooks() { }

    public torch.Tensor TransformEmbeddings(torch.Tensor tokenIds, torch.Tensor embeddings) => embeddings;

    public torch.Tensor BeforeLinear(LinearSite site, torch.Tensor input) => input;

    public torch.Tensor AfterLinear(LinearSite site, torch.Tensor input, torch.Tensor output) => output;

    public torch.Tensor AfterNorm(NormSite site, torch.Tensor output) => output;
}
