using Peft.Runtime.Models;
using Peft.Runtime.Models.Config;
using Peft.Runtime.Models.Weights;
using TorchSharp;

namespace Peft.Runtime.Adapters;

/// <summary>What adapters are validated against: the resident model's shape, its adapter sites and its dtype, and
/// read-only references to the weights an adapter file may carry copies of. Immutable, so parsing threads can read
/// it while the engine thread runs the model (they only ever read those tensors).</summary>
public sealed record BaseModel(ModelConfig Config, IReadOnlyList<LinearSite> Sites, torch.ScalarType Dtype)
{
    /// <summary>The output head (<c>lm_head</c>).</summary>
    public required LinearSite Head { get; init; }

    /// <summary>Norms with a bias (GPT-2's LayerNorms).</summary>
    public IReadOnlyList<NormSite> Norms { get; init; } = [];

    /// <summary>The token embedding's module name (<c>model.embed_tokens</c>, <c>transformer.wte</c>).</summary>
    public required string EmbeddingPath { get; init; }

    /// <summary>[vocab, hidden] in its resident form, float or INT8 (read only).</summary>
    public required IWeightMatrix EmbeddingWeight { get; init; }

    /// <summary>[vocab, hidden] in its resident form (read only; the embedding when tied and held alike).</summary>
    public required IWeightMatrix HeadWeight { get; init; }

    public static BaseModel Of(CausalLM model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new BaseModel(model.Config, model.LinearSites, model.Dtype)
        {
            Head = model.HeadSite,
            Norms = model.NormSites,
            EmbeddingPath = model.EmbeddingPath,
            EmbeddingWeight = model.EmbeddingWeight,
            HeadWeight = model.HeadWeight,
        };
    }

    /// <summary>Modules of the base no method here adapts but a target pattern might name.</summary>
    public IReadOnlyList<string> UnservedModules => Config.Family == ModelFamily.Gpt2 ? ["transformer.wpe"] : [];

    /// <summary>Block sites, then the head: every linear a target pattern may name.</summary>
    public IEnumerable<LinearSite> AllLinears => Sites.Append(Head);
}
