using System.Text.Json.Nodes;
using Peft.Runtime.Models;
using Peft.Runtime.Training.Methods;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Adapters.VirtualTokens;

/// <summary>
/// Prompt tuning and P-tuning: virtual token embeddings [n, hidden] placed before each sequence. Prompt tuning
/// learns them directly (random N(0, 1) as PEFT's RANDOM init, or the embeddings of an init text); P-tuning
/// produces them with PEFT's MLP prompt encoder (Linear, ReLU, Linear, ReLU, Linear) from a learned input
/// embedding. PEFT saves the final vectors in both cases, and so do we.
/// </summary>
public sealed class TrainablePromptTuning : TrainableAdapter
{
    private readonly int _virtualTokens;
    private readonly Tensor _embedding;                           // [n, hidden]
    private readonly (Tensor W, Tensor B)[]? _encoder;            // P-tuning MLP layers
    private readonly string? _initText;
    private readonly int _encoderHidden;
    private IReadOnlyList<int> _starts = [];

    private TrainablePromptTuning(CausalLM model, int virtualTokens, Tensor initial, int encoderHidden, string? initText) : base(model)
    {
        _virtualTokens = virtualTokens;
        _initText = initText;
        _encoderHidden = encoderHidden;
        using var scope = NewDisposeScope();
        _embedding = Parameter(initial);
        if (encoderHidden > 0)
        {
            int h = model.Config.HiddenSize;
            _encoder =
            [
                (Parameter(KaimingUniform(encoderHidden, h, model.Device)), Parameter(BiasInit(encoderHidden, h, model.Device))),
                (Parameter(KaimingUniform(encoderHidden, encoderHidden, model.Device)), Parameter(BiasInit(encoderHidden, encoderHidden, model.Device))),
                (Parameter(KaimingUniform(h, encoderHidden, model.Device)), Parameter(BiasInit(h, encoderHidden, model.Device))),
            ];
        }
    }

    public static TrainablePromptTuning PromptTuning(CausalLM model, PromptTuningTrainingConfig config, Func<string, IReadOnlyList<int>>? tokenize)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(config);
        using var scope = NewDisposeScope();
        Tensor initial;
        if (config.InitText is { Length: > 0 } text)
        {
            if (tokenize is null) throw new ArgumentException("prompt-tuning text initialisation needs the model's tokenizer");
            var ids = tokenize(text);
            if (ids.Count == 0) throw new ArgumentException("the prompt-tuning init text encodes to no tokens");
            // PEFT repeats the text's tokens to fill the virtual tokens, then cuts to length.
            var repeated = Enumerable.Range(0, config.VirtualTokens).Select(i => (long)ids[i % ids.Count]).ToArray();
            using (no_grad()) initial = model.EmbedTokens(tensor(repeated, device: model.Device)).to(ScalarType.Float32);
        }
        else
        {
            initial = randn(config.VirtualTokens, model.Config.HiddenSize, device: model.Device);
        }
        return new TrainablePromptTuning(model, config.VirtualTokens, initial, 0, config.InitText);
    }

    public static TrainablePromptTuning PTuning(CausalLM model, PTuningTrainingConfig config)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(config);
        using var scope = NewDisposeScope();
        return new TrainablePromptTuning(model, config.VirtualTokens, randn(config.VirtualTokens, model.Config.HiddenSize, device: model.Device), config.EncoderHiddenSize, null);
    }

    public override string PeftType => _encoder is null ? "PROMPT_TUNING" : "P_TUNING";

    public override int VirtualRows => _virtualTokens;

    public override void BeginBatch(IReadOnlyList<int> sequenceStarts) => _starts = sequenceStarts;

    /// <returns>[n, hidden]: the virtual token vectors as the model sees them.</returns>
    public Tensor VirtualEmbeddings()
    {
        if (_encoder is null) return _embedding;
        var x = _embedding;
        for (int i = 0; i < _encoder.Length; i++)
        {
            x = nn.functional.linear(x, _encoder[i].W, _encoder[i].B);
            if (i < _encoder.Length - 1) x = nn.functional.relu(x);
        }
        return x;
    }

    public override Tensor TransformEmbeddings(Tensor tokenIds, Tensor embeddings)
    {
        // Out of place, so autograd sees the virtual vectors flow into the rows they replace.
        var virtualTokens = VirtualEmbeddings();
        var rows = tensor(_starts.SelectMany(s => Enumerable.Range(s, _virtualTokens)).Select(r => (long)r).ToArray(), device: embeddings.device);
        return embeddings.index_copy(0, rows, virtualTokens.repeat(_starts.Count, 1).to(embeddings.dtype));
    }

    public override (JsonObject Config, IReadOnlyList<KeyValuePair<string, Tensor>> Tensors) Export()
    {
        var c = Model.Config;
        var config = CommonConfig(BaseModelPath);
        config["num_virtual_tokens"] = _virtualTokens;
        config["token_dim"] = c.HiddenSize;
        config["num_transformer_submodules"] = 1;
        config["num_attention_heads"] = c.NumHeads;
        config["num_layers"] = c.NumLayers;
        if (_encoder is null)
        {
            config["prompt_tuning_init"] = _initText is null ? "RANDOM" : "TEXT";
            config["prompt_tuning_init_text"] = _initText;
            config["tokenizer_name_or_path"] = _initText is null ? null : BaseModelPath;
            config["tokenizer_kwargs"] = null;
        }
        else
        {
            config["encoder_reparameterization_type"] = "MLP";
            config["encoder_hidden_size"] = _encoderHidden;
            config["encoder_num_layers"] = 2;
            config["encoder_dropout"] = 0.0;
        }
        using var noGrad = no_grad();
        return (config, [new("prompt_embeddings", ForExport(VirtualEmbeddings()))]);
    }

    private static Tensor BiasInit(long size, long fanIn, Device device) =>
        Uniform([size], 1.0 / Math.Sqrt(fanIn), device);
}
