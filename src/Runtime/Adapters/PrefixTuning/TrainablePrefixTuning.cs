using System.Text.Json.Nodes;
using Peft.Runtime.Models;
using Peft.Runtime.Training.Methods;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Adapters.PrefixTuning;

/// <summary>
/// Prefix tuning: per-layer key/value prefixes that every real token attends to; real tokens take positions after
/// them. PEFT learns E [n, layers·2·kv_heads·head_dim] directly, or with prefix_projection an embedding
/// [n, kv_heads·head_dim] through Linear, Tanh, Linear to that width. PEFT saves the final E either way.
/// </summary>
public sealed class TrainablePrefixTuning : TrainableAdapter
{
    private readonly PrefixTuningTrainingConfig _config;
    private readonly Tensor _embedding;
    private readonly (Tensor W1, Tensor B1, Tensor W2, Tensor B2)? _projection;
    private Tensor? _current;   // [n, layers·2, kv_heads, head_dim] for the forward in progress

    public TrainablePrefixTuning(CausalLM model, PrefixTuningTrainingConfig config) : base(model)
    {
        ArgumentNullException.ThrowIfNull(config);
        _config = config;
        var c = model.Config;
        int tokenDim = c.NumKeyValueHeads * c.HeadDim;
        int width = c.NumLayers * 2 * tokenDim;
        using var scope = NewDisposeScope();
        if (config.Projection)
        {
            _embedding = Parameter(randn(config.VirtualTokens, tokenDim, device: model.Device));
            int e = config.EncoderHiddenSize;
            _projection = (
                Parameter(KaimingUniform(e, tokenDim, model.Device)), Parameter(Bias(e, tokenDim, model.Device)),
                Parameter(KaimingUniform(width, e, model.Device)), Parameter(Bias(width, e, model.Device)));
        }
        else
        {
            _embedding = Parameter(randn(config.VirtualTokens, width, device: model.Device));
        }
    }

    public override string PeftType => "PREFIX_TUNING";

    public override int PositionOffset => _config.VirtualTokens;

    public override void BeginBatch(IReadOnlyList<int> sequenceStarts)
    {
        var c = Model.Config;
        _current = Values().view(_config.VirtualTokens, c.NumLayers * 2, c.NumKeyValueHeads, c.HeadDim);
    }

    public override (Tensor Keys, Tensor Values)? Prefix(int layer) =>
        (_current!.select(1, 2 * layer), _current!.select(1, 2 * layer + 1));

    /// <returns>E [n, layers·2·kv_heads·head_dim]</returns>
    private Tensor Values()
    {
        if (_projection is not { } p) return _embedding;
        var hidden = nn.functional.linear(_embedding, p.W1, p.B1).tanh();
        return nn.functional.linear(hidden, p.W2, p.B2);
    }

    public override (JsonObject Config, IReadOnlyList<KeyValuePair<string, Tensor>> Tensors) Export()
    {
        var c = Model.Config;
        var config = CommonConfig(BaseModelPath);
        config["num_virtual_tokens"] = _config.VirtualTokens;
        // As PEFT ≥ 0.12 writes it for GQA models: sized by the key/value heads.
        config["token_dim"] = c.NumKeyValueHeads * c.HeadDim;
        config["num_transformer_submodules"] = 1;
        config["num_attention_heads"] = c.NumKeyValueHeads;
        config["num_layers"] = c.NumLayers;
        config["encoder_hidden_size"] = _config.EncoderHiddenSize;
        config["prefix_projection"] = _config.Projection;
        using var noGrad = no_grad();
        return (config, [new("prompt_embeddings", ForExport(Values()))]);
    }

    private static Tensor Bias(long size, long fanIn, Device device) =>
        Uniform([size], 1.0 / Math.Sqrt(fanIn), device);
}
