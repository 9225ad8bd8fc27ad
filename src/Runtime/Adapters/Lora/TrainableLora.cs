using System.Text.Json.Nodes;
using Peft.Runtime.Models;
using Peft.Runtime.Training.Methods;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Adapters.Lora;

/// <summary>
/// LoRA as PEFT trains it: per targeted linear, A [r, in] Kaiming-uniform, B [out, r] zero, so the adapter starts
/// as the identity; y = W x + b + scaling · B(A(dropout(x))) through <see cref="LoraHooks"/>.
/// </summary>
public sealed class TrainableLora : TrainableAdapter
{
    private readonly LoraTrainingConfig _config;
    private readonly List<(LinearSite Site, Tensor A, Tensor B)> _modules = [];

    public TrainableLora(CausalLM model, LoraTrainingConfig config) : base(model)
    {
        ArgumentNullException.ThrowIfNull(config);
        _config = config;
        var targets = config.TargetModules.Count == 0 ? model.LinearSites.Select(s => s.Name).Distinct().ToArray() : config.TargetModules;
        var unknown = targets.Where(t => !model.LinearSites.Any(s => s.Name == t)).ToArray();
        if (unknown.Length > 0)
            throw new ArgumentException($"target modules {string.Join(", ", unknown)} are not linear layers of this model (it has {string.Join(", ", model.LinearSites.Select(s => s.Name).Distinct())})");
        TargetModules = [.. targets.Distinct().Order(StringComparer.Ordinal)];
        double scaling = config.UseRsLora ? config.Alpha / Math.Sqrt(config.Rank) : config.Alpha / config.Rank;
        using (var scope = NewDisposeScope())
        {
            foreach (var site in model.LinearSites.Where(s => TargetModules.Contains(s.Name)))
            {
                var a = Parameter(KaimingUniform(config.Rank, site.InFeatures, model.Device));
                var b = Parameter(zeros(site.OutFeatures, config.Rank, device: model.Device));
                _modules.Add((site, a, b));
            }
        }
        Hooks = new LoraHooks(_modules.Select(m => (m.Site, m.A, m.B, scaling)), null, Dropout(config.Dropout));
    }

    public override string PeftType => LoraMethod.Type;

    public IReadOnlyList<string> TargetModules { get; }

    public override (JsonObject Config, IReadOnlyList<KeyValuePair<string, Tensor>> Tensors) Export()
    {
        var config = CommonConfig(BaseModelPath);
        LoraExport.AddConfig(config, _config.Rank, _config.Alpha, _config.Dropout, _config.UseRsLora, TargetModules,
            Model.Config.Family == Models.Config.ModelFamily.Gpt2, useDora: false);
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var (site, a, b) in _modules)
        {
            tensors.Add(new(LoraFactors.Key(site.Path, "A"), ForExport(a)));
            tensors.Add(new(LoraFactors.Key(site.Path, "B"), ForExport(b)));
        }
        return (config, tensors);
    }
}
