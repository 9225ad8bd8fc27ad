using System.Text.Json.Nodes;
using Peft.Runtime.Adapters.Lora;
using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Models;
using Peft.Runtime.Torch;
using Peft.Runtime.Training.Methods;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Adapters.Dora;

/// <summary>
/// DoRA as PEFT trains it: LoRA's A (Kaiming-uniform) and B (zero), and the magnitude m initialised to the row norms
/// of W + s·B·A (= ‖W‖ while B is zero), so the adapter starts as the identity; the forward is
/// <see cref="DoraMath.Delta"/> on the dropped-out input.
/// </summary>
public sealed class TrainableDora : TrainableAdapter
{
    private readonly LoraConfig _config;
    private readonly List<Module> _modules = [];

    internal TrainableDora(CausalLM model, LoraConfig config, IReadOnlyList<LinearSite> sites) : base(model)
    {
        _config = config;
        using (var scope = NewDisposeScope())
        {
            foreach (var site in sites)
            {
                var (rank, scaling) = config.Resolve(site.Path);
                var a = Parameter(KaimingUniform(rank, site.InFeatures, model.Device));
                var b = Parameter(zeros(site.OutFeatures, rank, device: model.Device));
                var s = Scalars.Of(scaling);
                var m = Parameter(BaseNorms.Rows(model.SiteWeight(site), model.Dtype, a, b, s));
                _modules.Add(new Module(site, a, b, m, s));
            }
        }
        Hooks = new DoraHooks(model, _modules, Dropout(config.Dropout));
    }

    public override string PeftType => LoraMethod.Type;

    public override (JsonObject Config, IReadOnlyList<KeyValuePair<string, Tensor>> Tensors) Export()
    {
        var config = CommonConfig(BaseModelPath);
        LoraExport.AddConfig(config, _config.R, _config.Alpha, _config.Dropout, _config.UseRsLora, _modules.Select(m => m.Site.Name),
            Model.Config.Family == Models.Config.ModelFamily.Gpt2, useDora: true);
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var m in _modules)
        {
            tensors.Add(new(LoraFactors.Key(m.Site.Path, "A"), ForExport(m.A)));
            tensors.Add(new(LoraFactors.Key(m.Site.Path, "B"), ForExport(m.B)));
            tensors.Add(new(DoraMethod.MagnitudeKey(m.Site.Path), ForExport(m.Magnitude)));
        }
        return (config, tensors);
    }

    private sealed record Module(LinearSite Site, Tensor A, Tensor B, Tensor Magnitude, Scalar Scaling);

    /// <summary>y + DoRA's delta at each module, over the parameters.</summary>
    private sealed class DoraHooks(CausalLM model, IReadOnlyList<Module> modules, Func<Tensor, Tensor>? dropout) : RowHooks
    {
        private readonly Dictionary<int, Module> _bySite = modules.ToDictionary(m => m.Site.Index);

        public override bool ActsAt(LinearSite site) => !site.IsHead && _bySite.ContainsKey(site.Index);

        public override Tensor AfterLinear(LinearSite site, Tensor x, Tensor y)
        {
            var m = _bySite[site.Index];
            var input = dropout is null ? x : dropout(x);
            return y.add(DoraMath.Delta(input, model.SiteWeight(site), model.Dtype, m.A, m.B, m.Scaling, m.Magnitude), Scalars.One);
        }
    }
}
