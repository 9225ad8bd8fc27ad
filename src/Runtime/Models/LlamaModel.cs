using Peft.Runtime.Models.Attention;
using Peft.Runtime.Models.Config;
using Peft.Runtime.Models.Layers;
using Peft.Runtime.Models.Weights;
using Peft.Runtime.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Models;

/// <summary>
/// Llama, Mistral and Qwen2 (transformers' LlamaForCausalLM math):
/// h += o_proj(attn(rope(q_proj(n1(h))), rope(k_proj(..)), v_proj(..))); h += down_proj(silu(gate_proj(n2(h))) * up_proj(n2(h))).
/// </summary>
internal sealed class LlamaModel : CausalLM
{
    private readonly Block[] _blocks;
    private readonly RotaryEmbedding _rope;
    private IWeightMatrix _embedding = null!;   // [vocab, hidden]
    private Tensor _finalNorm = null!;          // [hidden]

    public LlamaModel(ModelConfig config, Device device, ScalarType dtype) : base(config, device, dtype)
    {
        _rope = new RotaryEmbedding(config.HeadDim, config.Rope!, device);
        int h = config.HiddenSize, q = config.NumHeads * config.HeadDim, kv = config.NumKeyValueHeads * config.HeadDim, m = config.IntermediateSize;
        _blocks = new Block[config.NumLayers];
        for (int l = 0; l < config.NumLayers; l++)
        {
            string p = $"model.layers.{l}";
            // In forward order (site indices follow it); k/v read q's input, up reads gate's.
            var qProj = AddSite(l, "q_proj", $"{p}.self_attn.q_proj", h, q, config.QkvBias);
            var kProj = AddSite(l, "k_proj", $"{p}.self_attn.k_proj", h, kv, config.QkvBias, sharesInputWith: qProj);
            var vProj = AddSite(l, "v_proj", $"{p}.self_attn.v_proj", h, kv, config.QkvBias, sharesInputWith: qProj);
            var oProj = AddSite(l, "o_proj", $"{p}.self_attn.o_proj", q, h, config.OutputBias);
            var gate = AddSite(l, "gate_proj", $"{p}.mlp.gate_proj", h, m, config.MlpBias);
            var up = AddSite(l, "up_proj", $"{p}.mlp.up_proj", h, m, config.MlpBias, sharesInputWith: gate);
            var down = AddSite(l, "down_proj", $"{p}.mlp.down_proj", m, h, config.MlpBias);
            _blocks[l] = new Block { Q = qProj, K = kProj, V = vProj, O = oProj, Gate = gate, Up = up, Down = down };
        }
        AddHeadSite();
    }

    public override string EmbeddingPath => "model.embed_tokens";

    public override IWeightMatrix EmbeddingWeight => _embedding;

    private protected override void LoadWeights(WeightLoader loader)
    {
        var c = Config;
        if (c.TieWordEmbeddings)
        {
            var (embedding, head) = loader.TakeTied("model.embed_tokens.weight", c.VocabSize, c.HiddenSize);
            _embedding = Own(embedding);
            SetHeadWeight(head);
        }
        else
        {
            _embedding = Own(loader.TakeMatrix("model.embed_tokens.weight", MatrixRole.Embedding, c.VocabSize, c.HiddenSize));
        }
        foreach (var block in _blocks)
        {
            string p = $"model.layers.{block.Q.Layer}";
            block.InputNorm = Own(loader.Take($"{p}.input_layernorm.weight", c.HiddenSize));
            block.PostNorm = Own(loader.Take($"{p}.post_attention_layernorm.weight", c.HiddenSize));
            foreach (var site in block.Sites)
            {
                SetSiteWeights(site,
                    loader.TakeMatrix($"{site.Path}.weight", MatrixRole.Linear, site.OutFeatures, site.InFeatures),
                    site.HasBias ? loader.Take($"{site.Path}.bias", site.OutFeatures) : null);
            }
        }
        _finalNorm = Own(loader.Take("model.norm.weight", c.HiddenSize));
        if (!c.TieWordEmbeddings) SetHeadWeight(loader.TakeMatrix("lm_head.weight", MatrixRole.Head, c.VocabSize, c.HiddenSize));
    }

    public override Tensor EmbedTokens(Tensor tokenIds) => _embedding.Lookup(tokenIds, Dtype);

    protected override Tensor Hidden(ForwardBatch batch, IAttentionBackend attention, IForwardHooks hooks)
    {
        var h = hooks.TransformEmbeddings(batch.TokenIds, EmbedTokens(batch.TokenIds));
        var (cos, sin) = _rope.Angles(batch.Positions, Dtype);
        foreach (var block in _blocks)
        {
            var input = h;
            h = InOwnScope(() => BlockForward(block, input, cos, sin, attention, hooks));
        }
        return h;
    }

    // Each half of a block runs in a scope of its own, and so does the gated product: only their outputs outlive
    // them, so a prefill chunk's q/k/v, gate and up activations are freed before the next part allocates its own
    // (docs/benchmarks.md, "Peak memory"). The operations and their order are those of the block as written.
    private Tensor BlockForward(Block b, Tensor h, Tensor cos, Tensor sin, IAttentionBackend attention, IForwardHooks hooks)
    {
        var afterAttention = h.add(InOwnScope(() => AttentionHalf(b, h, cos, sin, attention, hooks)), Scalars.One);
        return afterAttention.add(InOwnScope(() => MlpHalf(b, afterAttention, hooks)), Scalars.One);
    }

    private Tensor AttentionHalf(Block b, Tensor h, Tensor cos, Tensor sin, IAttentionBackend attention, IForwardHooks hooks)
    {
        var c = Config;
        long tokens = h.size(0);
        var x = Norms.Rms(h, b.InputNorm, c.NormEps);
        var q = Linear(b.Q, x, hooks).view(tokens, c.NumHeads, c.HeadDim);
        var k = Linear(b.K, x, hooks).view(tokens, c.NumKeyValueHeads, c.HeadDim);
        var v = Linear(b.V, x, hooks).view(tokens, c.NumKeyValueHeads, c.HeadDim);
        q = RotaryEmbedding.Apply(q, cos, sin);
        k = RotaryEmbedding.Apply(k, cos, sin);
        return Linear(b.O, attention.Attend(b.Q.Layer, q, k, v), hooks);
    }

    private Tensor MlpHalf(Block b, Tensor h, IForwardHooks hooks)
    {
        var x = Norms.Rms(h, b.PostNorm, Config.NormEps);
        var gated = InOwnScope(() => GatedProduct(Linear(b.Gate, x, hooks), Linear(b.Up, x, hooks)));
        return Linear(b.Down, gated, hooks);
    }

    private static Tensor GatedProduct(Tensor gate, Tensor up) => FloatRows.SiluProduct(gate, up) ?? nn.functional.silu(gate).mul_(up);

    protected override Tensor Head(Tensor hidden, IForwardHooks hooks) =>
        HeadLinear(Norms.Rms(hidden, _finalNorm, Config.NormEps), hooks);

    protected override void Dispose(bool disposing)
    {
        if (disposing) _rope.Dispose();
        base.Dispose(disposing);
    }

    private sealed class Block
    {
        public required LinearSite Q, K, V, O, Gate, Up, Down;
        public Tensor InputNorm = null!;
        public Tensor PostNorm = null!;

        public LinearSite[] Sites => [Q, K, V, O, Gate, Up, Down];
    }
}
