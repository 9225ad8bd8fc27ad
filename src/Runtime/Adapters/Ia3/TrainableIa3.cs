using System.Text.Json.Nodes;
using Peft.Runtime.Adapters.Targeting;
using Peft.Runtime.Models;
using Peft.Runtime.Training.Methods;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Adapters.Ia3;

/// <summary>IA³ as PEFT trains it: every vector starts at one (the identity) and acts through <see cref="Ia3Hooks"/>.</summary>
public sealed class TrainableIa3 : TrainableAdapter
{
    private readonly List<(LinearSite Site, Tensor Vector, bool FeedForward)> _modules = [];

    internal TrainableIa3(CausalLM model, Ia3Config config, IReadOnlyList<LinearSite> sites) : base(model)
    {
        using (var scope = NewDisposeScope())
        {
            foreach (var site in sites)
            {
                bool ff = config.IsFeedForward(site.Path);
                _modules.Add((site, Parameter(ones(ff ? site.InFeatures : site.OutFeatures, device: model.Device)), ff));
            }
        }
        Hooks = new Ia3Hooks(
            _modules.Where(m => m.FeedForward).ToDictionary(m => m.Site.Index, m => m.Vector),
            _modules.Where(m => !m.FeedForward).ToDictionary(m => m.Site.Index, m => m.Vector));
    }

    public override string PeftType => Ia3Method.Type;

    public override (JsonObject Config, IReadOnlyList<KeyValuePair<string, Tensor>> Tensors) Export()
    {
        var config = CommonConfig(BaseModelPath);
        var sites = _modules.Select(m => m.Site).ToArray();
        // Names that end only feed-forward paths among all linears: PEFT requires them among the target names too.
        var feedForward = ModuleNames.Suffixes([.. _modules.Where(m => m.FeedForward).Select(m => m.Site)], Model.LinearSites);
        config["target_modules"] = Names(ModuleNames.Suffixes(sites, Model.LinearSites).Concat(feedForward));
        config["feedforward_modules"] = Names(feedForward);
        config["fan_in_fan_out"] = Model.Config.Family == Models.Config.ModelFamily.Gpt2;
        config["modules_to_save"] = null;
        config["init_ia3_weights"] = true;
        var tensors = _modules.Select(m => KeyValuePair.Create(Ia3Method.Key(m.Site.Path),
            ForExport(m.FeedForward ? m.Vector.unsqueeze(0) : m.Vector.unsqueeze(1)))).ToList();
        return (config, tensors);
    }

    private static JsonArray Names(IEnumerable<string> names) => new([.. names.Distinct().Order(StringComparer.Ordinal).Select(n => (JsonNode)n)]);
}
