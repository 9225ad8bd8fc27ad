using System.Text.Json;
using Peft.Runtime.Adapters.Lora;
using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Adapters.Targeting;
using Peft.Runtime.Models;
using TorchSharp;

namespace Peft.Runtime.Adapters.Vera;

/// <summary>
/// PEFT VeRA. Keys: <c>base_model.vera_A</c> [r, in_max] and <c>base_model.vera_B</c> [out_max, r] (the shared projections,
/// sized by the largest targeted input and output; absent with save_projection = false, when they are regenerated
/// from projection_prng_key), and per module <c>vera_lambda_d</c> [r] and <c>vera_lambda_b</c> [out]. PEFT saves no
/// bias for VeRA, whatever its bias setting.
/// </summary>
internal sealed class VeraMethod : IAdapterMethod
{
    public const string Type = "VERA";

    public string PeftType => Type;

    public HostAdapter Read(AdapterFiles files, AdapterWeights weights, BaseModel baseModel)
    {
        var f = AdapterReader.Fields(files);
        if (f.Raw("modules_to_save") is { ValueKind: JsonValueKind.Array } m && m.GetArrayLength() > 0)
            throw LoraConfig.Unsupported(f, "modules_to_save", m.GetRawText(), "fully trained module copies are not served");
        int r = f.Int("r");
        if (r < 1) throw f.Invalid("r", "a positive integer");
        var sites = ModuleTargets.Read(f).Linears($"adapter '{files.Name}'", baseModel, "VeRA", head: true, embedding: false);
        int inMax = sites.Max(s => s.InFeatures), outMax = sites.Max(s => s.OutFeatures);
        torch.Tensor a, b;
        if (f.OptionalBool("save_projection") ?? true)
        {
            a = weights.Take("base_model.vera_A", [r, inMax], $"r × the largest targeted input {inMax}");
            b = weights.Take("base_model.vera_B", [outMax, r], $"the largest targeted output {outMax} × r");
        }
        else
        {
            long key = f.Raw("projection_prng_key") switch
            {
                null => 0,
                { ValueKind: JsonValueKind.Number } n when n.TryGetInt64(out long k) && k >= 0 => k,
                _ => throw f.Invalid("projection_prng_key", "a non-negative integer"),
            };
            var (ga, gb) = VeraHooks.Projections(key, r, inMax, outMax);
            a = weights.Own(ga.to(weights.Dtype));
            b = weights.Own(gb.to(weights.Dtype));
        }
        var modules = new Dictionary<LinearSite, (torch.Tensor, torch.Tensor)>();
        foreach (var site in sites)
        {
            string key = $"{LoraFactors.KeyPrefix}{site.Path}.vera_lambda_";
            modules[site] = (weights.Take(key + "d", [r], $"r = {r}"), weights.Take(key + "b", [site.OutFeatures], $"outputs of {site.Path}"));
        }
        return new VeraAdapter(files.Name, a, b, modules);
    }
}

/// <summary>A VeRA adapter: on the device, the shared projections once and the vectors per module, as row hooks.</summary>
public sealed class VeraAdapter(string name, torch.Tensor a, torch.Tensor b, IReadOnlyDictionary<LinearSite, (torch.Tensor LambdaD, torch.Tensor LambdaB)> modules)
    : HostAdapter(name, VeraMethod.Type)
{
    /// <summary>[r, in_max]</summary>
    public torch.Tensor A { get; } = a;

    /// <summary>[out_max, r]</summary>
    public torch.Tensor B { get; } = b;

    public IReadOnlyDictionary<LinearSite, (torch.Tensor LambdaD, torch.Tensor LambdaB)> Modules { get; } = modules;

    private IEnumerable<torch.Tensor> Tensors => Modules.Values.SelectMany(m => new[] { m.LambdaD, m.LambdaB }).Append(A).Append(B);

    public override long SizeBytes => Tensors.Sum(Bytes);

    public override int Rank => (int)A.size(0);

    public override IReadOnlyList<string> TargetModules => Modules.Keys.Select(s => s.Name).Distinct().Order(StringComparer.Ordinal).ToArray();

    public override DeviceAdapter ToDevice(DeviceContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var owned = new List<torch.Tensor>();
        torch.Tensor Copy(torch.Tensor t)
        {
            var copy = context.Copy(t);
            owned.Add(copy);
            return copy;
        }
        var hooks = new VeraHooks(Copy(A), Copy(B), Modules.ToDictionary(p => p.Key, p => (Copy(p.Value.LambdaD), Copy(p.Value.LambdaB))));
        return new SingleBindingDevice(new RowHooksBinding(hooks), owned);
    }

    protected override void DisposeTensors()
    {
        foreach (var t in Tensors) t.Dispose();
    }
}
