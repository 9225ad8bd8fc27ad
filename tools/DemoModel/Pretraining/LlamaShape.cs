namespace Peft.Tools.DemoModel.Pretraining;

/// <summary>
/// The architecture of the demo model: a <c>LlamaForCausalLM</c> with tied embeddings, RoPE θ 10000, RMSNorm eps 1e-5,
/// SiLU MLP, no biases, and grouped-query attention when <see cref="NumKeyValueHeads"/> &lt; <see cref="NumHeads"/>.
/// Only the sizes vary; everything else is fixed so the model is what the runtime serves by default.
/// </summary>
internal sealed record LlamaShape
{
    public const double RopeTheta = 10000.0;
    public const double RmsNormEps = 1e-5;
    /// <summary>Standard deviation of the initial linear and embedding weights (HF <c>initializer_range</c>).</summary>
    public const double InitializerRange = 0.02;

    public required int VocabSize { get; init; }
    public required int HiddenSize { get; init; }
    public required int IntermediateSize { get; init; }
    public required int NumLayers { get; init; }
    public required int NumHeads { get; init; }
    public required int NumKeyValueHeads { get; init; }
    /// <summary>The training context, written as <c>max_position_embeddings</c>: RoPE models do not reach far past it.</summary>
    public required int MaxPositions { get; init; }
    public required int BosTokenId { get; init; }
    public required int EosTokenId { get; init; }
    public int? PadTokenId { get; init; }

    public int HeadDim => HiddenSize / NumHeads;

    public void Validate()
    {
        foreach (var (name, value) in new[]
        {
            ("vocabulary", VocabSize), ("--hidden", HiddenSize), ("--intermediate", IntermediateSize), ("--layers", NumLayers),
            ("--heads", NumHeads), ("--kv-heads", NumKeyValueHeads), ("--context", MaxPositions),
        })
        {
            if (value <= 0) throw new ArgumentException($"{name} must be positive, got {value}.");
        }
        if (HiddenSize % NumHeads != 0) throw new ArgumentException($"--hidden {HiddenSize} is not a multiple of --heads {NumHeads}.");
        if (HeadDim % 2 != 0) throw new ArgumentException($"the head size {HeadDim} must be even for rotary embeddings.");
        if (NumHeads % NumKeyValueHeads != 0) throw new ArgumentException($"--heads {NumHeads} is not a multiple of --kv-heads {NumKeyValueHeads}.");
    }

    /// <summary>Every tensor of the checkpoint under its Hugging Face name; no <c>lm_head.weight</c>, since it is tied.</summary>
    public IEnumerable<(string Name, long[] Shape)> Tensors()
    {
        long h = HiddenSize, kv = NumKeyValueHeads * HeadDim, q = NumHeads * HeadDim, m = IntermediateSize;
        yield return ("model.embed_tokens.weight", [VocabSize, h]);
        for (int l = 0; l < NumLayers; l++)
        {
            string p = $"model.layers.{l}";
            yield return ($"{p}.input_layernorm.weight", [h]);
            yield return ($"{p}.self_attn.q_proj.weight", [q, h]);
            yield return ($"{p}.self_attn.k_proj.weight", [kv, h]);
            yield return ($"{p}.self_attn.v_proj.weight", [kv, h]);
            yield return ($"{p}.self_attn.o_proj.weight", [h, q]);
            yield return ($"{p}.post_attention_layernorm.weight", [h]);
            yield return ($"{p}.mlp.gate_proj.weight", [m, h]);
            yield return ($"{p}.mlp.up_proj.weight", [m, h]);
            yield return ($"{p}.mlp.down_proj.weight", [h, m]);
        }
        yield return ("model.norm.weight", [h]);
    }

    public long ParameterCount => Tensors().Sum(t => t.Shape.Aggregate(1L, (a, b) => a * b));

    public override string ToString() =>
        $"hidden {HiddenSize}, {NumLayers} layers, {NumHeads} heads / {NumKeyValueHeads} KV heads (head {HeadDim}), " +
        $"intermediate {IntermediateSize}, vocab {VocabSize}, context {MaxPositions}: {ParameterCount:N0} parameters";
}
