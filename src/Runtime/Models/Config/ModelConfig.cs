namespace Peft.Runtime.Models.Config;

/// <summary>
/// The fields of a Hugging Face <c>config.json</c> that define the math of the forward pass, normalised across
/// families (GPT-2 names such as <c>n_embd</c> are mapped to the common names). Built by <see cref="ModelConfigReader"/>.
/// </summary>
public sealed record ModelConfig
{
    public required ModelFamily Family { get; init; }
    /// <summary>The <c>architectures[0]</c> string, e.g. LlamaForCausalLM; adapters are checked against it.</summary>
    public required string Architecture { get; init; }
    public required string ModelType { get; init; }
    public required int VocabSize { get; init; }
    public required int HiddenSize { get; init; }
    public required int IntermediateSize { get; init; }
    public required int NumLayers { get; init; }
    public required int NumHeads { get; init; }
    public required int NumKeyValueHeads { get; init; }
    public required int HeadDim { get; init; }
    public required int MaxPositionEmbeddings { get; init; }
    public required double NormEps { get; init; }
    /// <summary>Null for GPT-2 (learned absolute positions).</summary>
    public RopeConfig? Rope { get; init; }
    public required bool TieWordEmbeddings { get; init; }
    /// <summary>Bias on q/k/v projections (Qwen2 always; Llama with <c>attention_bias</c>).</summary>
    public bool QkvBias { get; init; }
    /// <summary>Bias on the attention output projection (Llama with <c>attention_bias</c>).</summary>
    public bool OutputBias { get; init; }
    public bool MlpBias { get; init; }
    public int? BosTokenId { get; init; }
    public IReadOnlyList<int> EosTokenIds { get; init; } = [];

    public int QueryGroupSize => NumHeads / NumKeyValueHeads;
}
