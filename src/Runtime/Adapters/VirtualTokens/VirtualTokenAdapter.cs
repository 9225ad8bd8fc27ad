using Peft.Runtime.Adapters.Serving;
using TorchSharp;

namespace Peft.Runtime.Adapters.VirtualTokens;

/// <summary>
/// Prompt tuning and P-tuning at inference: <c>prompt_embeddings</c> [virtual tokens, hidden] prepended to the
/// input embeddings. P-tuning's encoder is not needed: PEFT saves its output.
/// </summary>
public sealed class VirtualTokenAdapter : HostAdapter
{
    public VirtualTokenAdapter(string name, string peftType, torch.Tensor embeddings) : base(name, peftType)
    {
        Embeddings = embeddings;
    }

    /// <summary>[virtual tokens, hidden]</summary>
    public torch.Tensor Embeddings { get; }

    public override long SizeBytes => Bytes(Embeddings);

    public override int VirtualTokens => (int)Embeddings.size(0);

    public override DeviceAdapter ToDevice(DeviceContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var embeddings = context.Copy(Embeddings);
        return new SingleBindingDevice(new VirtualTokenBinding(embeddings), [embeddings]);
    }

    protected override void DisposeTensors() => Embeddings.Dispose();

    /// <summary>Shared reader of the two methods: the config and the single saved tensor.</summary>
    internal static VirtualTokenAdapter Read(string peftType, AdapterFiles files, AdapterWeights weights, BaseModel baseModel)
    {
        var config = PromptLearningConfig.Read(AdapterReader.Fields(files));
        int hidden = baseModel.Config.HiddenSize;
        if (config.TokenDim is { } dim && dim != hidden)
            throw new AdapterLoadException($"adapter '{files.Name}': token_dim {dim} does not match the base model's hidden_size {hidden}");
        var embeddings = weights.Take(PromptEmbeddingsKey, [config.VirtualTokens, hidden], "num_virtual_tokens × hidden_size");
        return new VirtualTokenAdapter(files.Name, peftType, embeddings);
    }

    public const string PromptEmbeddingsKey = "prompt_embeddings";
}
