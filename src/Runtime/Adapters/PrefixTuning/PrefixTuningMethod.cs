using Peft.Runtime.Adapters.VirtualTokens;
using static TorchSharp.torch;

namespace Peft.Runtime.Adapters.PrefixTuning;

/// <summary>
/// PEFT prefix tuning. The saved <c>prompt_embeddings</c> E [nvt, layers·2·kv_heads·head_dim] (already the
/// projection's output when prefix_projection was used) is viewed as [nvt, layers·2, kv_heads, head_dim]: slice 2l
/// holds layer l's keys, 2l+1 its values. For GQA models PEFT sizes the prefix by the KV heads; adapters saved
/// with query-head sizes (peft &lt; 0.12) do not fit and are refused with both shapes named.
/// </summary>
internal sealed class PrefixTuningMethod : IAdapterMethod
{
    public const string Type = "PREFIX_TUNING";

    public string PeftType => Type;

    public HostAdapter Read(AdapterFiles files, AdapterWeights weights, BaseModel baseModel)
    {
        var c = baseModel.Config;
        var config = PromptLearningConfig.Read(AdapterReader.Fields(files));
        int tokenDim = c.NumKeyValueHeads * c.HeadDim;
        if (config.NumLayers is { } layers && layers != c.NumLayers)
            throw new AdapterLoadException($"adapter '{files.Name}': num_layers {layers} does not match the base model's {c.NumLayers} layers");
        if (config.TokenDim is { } dim && dim != tokenDim)
            throw new AdapterLoadException(
                $"adapter '{files.Name}': token_dim {dim} does not match the base model's key/value width {tokenDim} (kv_heads {c.NumKeyValueHeads} × head_dim {c.HeadDim})");
        int nvt = config.VirtualTokens;
        using var scope = NewDisposeScope();
        var embeddings = weights.Take(VirtualTokenAdapter.PromptEmbeddingsKey,
            [nvt, c.NumLayers * 2L * tokenDim], "num_virtual_tokens × num_layers·2·kv_heads·head_dim");
        var view = embeddings.view(nvt, c.NumLayers * 2, c.NumKeyValueHeads, c.HeadDim);
        var keys = new Tensor[c.NumLayers];
        var values = new Tensor[c.NumLayers];
        for (int l = 0; l < c.NumLayers; l++)
        {
            keys[l] = view.select(1, 2 * l).contiguous().MoveToOuterDisposeScope().DetachFromDisposeScope();
            values[l] = view.select(1, 2 * l + 1).contiguous().MoveToOuterDisposeScope().DetachFromDisposeScope();
        }
        weights.Drop(embeddings);
        return new PrefixAdapter(files.Name, keys, values);
    }
}
