using TorchSharp;

namespace Peft.Runtime.Models;

/// <summary>
/// What an adapter may change in a forward pass, and nothing more. The model calls these at two of its three
/// hook points; the third (prefix key/values) lives in the attention backend, because at serve time a prefix is
/// simply cache content.
/// </summary>
public interface IForwardHooks
{
    /// <summary>After the token embedding (before GPT-2's position embedding): prompt/P-tuning virtual tokens.</summary>
    /// <param name="embeddings">[tokens, hidden]</param>
    /// <returns>[tokens, hidden]; the same tensor when nothing changes.</returns>
    torch.Tensor TransformEmbeddings(torch.Tensor embeddings);

    /// <summary>After a linear layer: adds the LoRA delta to the rows that have one (in place or not).</summary>
    /// <param name="input">[tokens, in]</param>
    /// <param name="output">[tokens, out], the base layer's result</param>
    /// <returns>[tokens, out]; <paramref name="output"/> itself when no row of this batch adapts this site.</returns>
    torch.Tensor AfterLinear(LinearSite site, torch.Tensor input, torch.Tensor output);
}

/// <summary>The base model alone.</summary>
public sealed class NoHooks : IForwardHooks
{
    public static NoHooks Instance { get; } = new();

    private NoHooks() { }

    public torch.Tensor TransformEmbeddings(torch.Tensor embeddings) => embeddings;

    public torch.Tensor AfterLinear(LinearSite site, torch.Tensor input, torch.Tensor output) => output;
}
