using Peft.Runtime.Models.Attention;
using Peft.Runtime.Models.Config;
using Peft.Runtime.Models.Layers;
using Peft.Runtime.Models.Weights;
using Peft.Runtime.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Models;

/// <summary>
/// GPT-2: learned positions added to token embeddings, pre-LayerNorm blocks, fused q|k|v projection (c_attn),
/// gelu (tanh form) MLP, head tied to the token embedding unless the config unties it. Conv1D weights are stored [in, out] and transposed once
/// at load, so every linear here is [out, in] like Llama's.
/// </summary>
internal sealed class Gpt2Model : CausalLM
{
    private readonly Block[] _blocks;
    private IWeightMatrix _tokenEmbedding = null!;     // [vocab, hidden]
    private IWeightMatrix _positionEmbedding = null!;  // [positions, hidden]
    private readonly NormSite _finalNorm;
    private Tensor _finalNormWeight = null!, _finalNormBias = null!;

    public Gpt2Model(ModelConfig config, Device device, ScalarType dtype) : base(config, device, dtype)
    {
        int h = config.HiddenSize, m = config.IntermediateSize;
        _blocks = new Block[config.NumLayers];
        for (int l = 0; l < config.NumLayers; l++)
        {
            string p = $"transformer.h.{l}";
            _blocks[l] = new Block
            {
                Norm1 = AddNormSite(l, "ln_1", $"{p}.ln_1"),
                Qkv = AddSite(l, "c_attn", $"{p}.attn.c_attn", h, 3 * h, hasBias: true),
                Output = AddSite(l, "c_proj", $"{p}.attn.c_proj", h, h, hasBias: true),
                Norm2 = AddNormSite(l, "ln_2", $"{p}.ln_2"),
                Up = AddSite(l, "c_fc", $"{p}.mlp.c_fc", h, m, hasBias: true),
                Down = AddSite(l, "c_proj", $"{p}.mlp.c_proj", m, h, hasBias: true),
            };
        }
        _finalNorm = AddNormSite(config.NumLayers, "ln_f", "transformer.ln_f", isHead: true);
        AddHeadSite();
    }

    public override string EmbeddingPath => "transformer.wte";

    public override IWeightMatrix EmbeddingWeight => _tokenEmbedding;

    private protected override void LoadWeights(WeightLoader loader)
    {
        var c = Config;
        // The original OpenAI-converted checkpoints name tensors without the "transformer." prefix.
        string root = loader.Has("transformer.wte.weight") ? "transformer." : "";
        // tie_word_embeddings is true for every released GPT-2; an untied head has its own weight, as in transformers.
        if (c.TieWordEmbeddings)
        {
            var (embedding, head) = loader.TakeTied($"{root}wte.weight", c.VocabSize, c.HiddenSize);
            _tokenEmbedding = Own(embedding);
            SetHeadWeight(head);
        }
        else
        {
            _tokenEmbedding = Own(loader.TakeMatrix($"{root}wte.weight", MatrixRole.Embedding, c.VocabSize, c.HiddenSize));
            SetHeadWeight(loader.TakeMatrix("lm_head.weight", MatrixRole.Head, c.VocabSize, c.HiddenSize));
        }
        _positionEmbedding = Own(loader.TakeMatrix($"{root}wpe.weight", MatrixRole.Embedding, c.MaxPositionEmbeddings, c.HiddenSize));
        foreach (var block in _blocks)
        {
            string p = $"{root}h.{block.Qkv.Layer}";
            block.Norm1Weight = Own(loader.Take($"{p}.ln_1.weight", c.HiddenSize));
            block.Norm1Bias = Own(loader.Take($"{p}.ln_1.bias", c.HiddenSize));
            SetNormBias(block.Norm1, block.Norm1Bias);
            block.Norm2Weight = Own(loader.Take($"{p}.ln_2.weight", c.HiddenSize));
            block.Norm2Bias = Own(loader.Take($"{p}.ln_2.bias", c.HiddenSize));
            SetNormBias(block.Norm2, block.Norm2Bias);
            foreach (var (site, stored) in block.SitesWithStoredNames(p))
            {
                SetSiteWeights(site,
                    loader.TakeTransposedMatrix($"{stored}.weight", MatrixRole.Linear, site.InFeatures, site.OutFeatures),
                    loader.Take($"{stored}.bias", site.OutFeatures));
            }
        }
        _finalNormWeight = Own(loader.Take($"{root}ln_f.weight", c.HiddenSize));
        _finalNormBias = Own(loader.Take($"{root}ln_f.bias", c.HiddenSize));
        SetNormBias(_finalNorm, _finalNormBias);
    }

    public override Tensor EmbedTokens(Tensor tokenIds) => _tokenEmbedding.Lookup(tokenIds, Dtype);

    protected override Tensor Hidden(ForwardBatch batch, IAttentionBackend attention, IForwardHooks hooks)
    {
        // Virtual tokens replace token embeddings only; they still get their position rows, as in PEFT.
        var h = hooks.TransformEmbeddings(batch.TokenIds, EmbedTokens(batch.TokenIds))
            .add(_positionEmbedding.Lookup(batch.Positions, Dtype), Scalars.One);
        foreach (var block in _blocks)
        {
            var input = h;
            h = InOwnScope(() => BlockForward(block, input, attention, hooks));
        }
        return h;
    }

    // Each half of a block in a scope of its own: only its output outlives it (see LlamaModel.BlockForward).
    private Tensor BlockForward(Block b, Tensor h, IAttentionBackend attention, IForwardHooks hooks)
    {
        var afterAttention = h.add(InOwnScope(() => AttentionHalf(b, h, attention, hooks)), Scalars.One);
        return afterAttention.add(InOwnScope(() => MlpHalf(b, afterAttention, hooks)), Scalars.One);
    }

    private Tensor AttentionHalf(Block b, Tensor h, IAttentionBackend attention, IForwardHooks hooks)
    {
        var c = Config;
        long tokens = h.size(0);
        var x = hooks.AfterNorm(b.Norm1, Norms.Layer(h, b.Norm1Weight, b.Norm1Bias, c.NormEps));
        var qkv = Linear(b.Qkv, x, hooks).split(c.HiddenSize, 1);
        var attended = attention.Attend(
            b.Qkv.Layer,
            qkv[0].view(tokens, c.NumHeads, c.HeadDim),
            qkv[1].view(tokens, c.NumHeads, c.HeadDim),
            qkv[2].view(tokens, c.NumHeads, c.HeadDim));
        return Linear(b.Output, attended, hooks);
    }

    private Tensor MlpHalf(Block b, Tensor h, IForwardHooks hooks)
    {
        var c = Config;
        var x = hooks.AfterNorm(b.Norm2, Norms.Layer(h, b.Norm2Weight, b.Norm2Bias, c.NormEps));
        var up = nn.functional.gelu(Linear(b.Up, x, hooks), TorchSharp.Modules.GELU.Approximate.tanh);
        return Linear(b.Down, up, hooks);
    }

    protected override Tensor Head(Tensor hidden, IForwardHooks hooks) =>
        HeadLinear(hooks.AfterNorm(_finalNorm, Norms.Layer(hidden, _finalNormWeight, _finalNormBias, Config.NormEps)), hooks);

    private sealed class Block
    {
        public required LinearSite Qkv, Output, Up, Down;
        public required NormSite Norm1, Norm2;
        public Tensor Norm1Weight = null!, Norm1Bias = null!, Norm2Weight = null!, Norm2Bias = null!;

        public IEnumerable<(LinearSite Site, string StoredName)> SitesWithStoredNames(string prefix) =>
        [
            (Qkv, $"{prefix}.attn.c_attn"),
            (Output, $"{prefix}.attn.c_proj"),
            (Up, $"{prefix}.mlp.c_fc"),
            (Down, $"{prefix}.mlp.c_proj"),
        ];
    }
}
