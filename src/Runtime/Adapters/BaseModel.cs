using Peft.Runtime.Models;
using Peft.Runtime.Models.Config;
using TorchSharp;

namespace Peft.Runtime.Adapters;

/// <summary>What adapters are validated against: the resident model's shape, its adapter sites and its dtype.
/// Immutable, so parsing threads can read it while the engine thread runs the model.</summary>
public sealed record BaseModel(ModelConfig Config, IReadOnlyList<LinearSite> Sites, torch.ScalarType Dtype)
{
    public static BaseModel Of(CausalLM model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new BaseModel(model.Config, model.LinearSites, model.Dtype);
    }

    /// <summary>Modules of the base that are not linear sites but that a target pattern might name.</summary>
    public IReadOnlyList<string> OtherModules => Config.Family == ModelFamily.Gpt2
        ? ["transformer.wte", "transformer.wpe", "lm_head"]
        : ["model.embed_tokens", "lm_head"];
}
