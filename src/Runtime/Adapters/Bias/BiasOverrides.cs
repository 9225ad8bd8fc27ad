using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Adapters.Bias;

/// <summary>
/// Base biases an adapter replaces: PEFT's bias="all" saves every bias of the model (targeted layers as
/// <c>&lt;module&gt;.base_layer.bias</c>, others as <c>&lt;module&gt;.bias</c>, GPT-2's LayerNorm biases included), and
/// loading them overwrites the base's. Served as a per-adapter delta b' − b on the adapter's rows. bias="lora_only"
/// makes PEFT look for <c>&lt;module&gt;.bias</c> next to the LoRA keys, which a wrapped layer never has, so such
/// files carry no bias; any they do carry is read the same way.
/// </summary>
public sealed class BiasOverrides(IReadOnlyDictionary<LinearSite, Tensor> linears, IReadOnlyDictionary<NormSite, Tensor> norms)
{
    /// <summary>Replaced biases of linear sites, [out] each.</summary>
    public IReadOnlyDictionary<LinearSite, Tensor> Linears { get; } = linears;

    /// <summary>Replaced LayerNorm biases, [features] each.</summary>
    public IReadOnlyDictionary<NormSite, Tensor> Norms { get; } = norms;

    public long SizeBytes => Linears.Values.Concat(Norms.Values).Sum(t => t.NumberOfElements * t.ElementSize);

    /// <returns>Null for bias="none" or when the file holds no bias.</returns>
    internal static BiasOverrides? Read(AdapterWeights weights, BaseModel baseModel, string bias)
    {
        if (bias == "none") return null;
        var linears = new Dictionary<LinearSite, Tensor>();
        foreach (var site in baseModel.Sites)
        {
            if (Key(weights, site.Path) is not { } key) continue;
            if (!site.HasBias)
                throw new AdapterLoadException($"adapter '{weights.Files.Name}': tensor '{key}' replaces a bias that {site.Path} of the base model does not have");
            linears[site] = weights.Take(key, [site.OutFeatures]);
        }
        var norms = new Dictionary<NormSite, Tensor>();
        foreach (var site in baseModel.Norms)
            if (Key(weights, site.Path) is { } key) norms[site] = weights.Take(key, [site.Features]);
        return linears.Count + norms.Count == 0 ? null : new BiasOverrides(linears, norms);
    }

    /// <summary>Row hooks adding b' − b on the device (engine thread); the deltas are owned by the caller's device form.</summary>
    internal BiasHooks ToDevice(DeviceContext context, List<Tensor> owned)
    {
        var model = context.Model;
        var linears = Linears.ToDictionary(p => p.Key.Index, p => Delta(context.Copy(p.Value), model.SiteBias(p.Key)!, owned));
        var norms = Norms.ToDictionary(p => p.Key.Index, p => Delta(context.Copy(p.Value), model.NormBias(p.Key), owned));
        return new BiasHooks(linears, norms);
    }

    private static Tensor Delta(Tensor replaced, Tensor original, List<Tensor> owned)
    {
        replaced.sub_(original);
        owned.Add(replaced);
        return replaced;
    }

    private static string? Key(AdapterWeights weights, string module) =>
        ((string[])[$"base_model.model.{module}.base_layer.bias", $"base_model.model.{module}.bias"]).FirstOrDefault(weights.Has);

    public void Dispose()
    {
        foreach (var t in Linears.Values.Concat(Norms.Values)) t.Dispose();
    }
}
