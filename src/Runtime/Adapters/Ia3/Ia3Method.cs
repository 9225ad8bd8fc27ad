using Peft.Runtime.Json;
using Peft.Runtime.Models;
using Peft.Runtime.Training.Methods;
using TorchSharp;

namespace Peft.Runtime.Adapters.Ia3;

/// <summary>
/// PEFT IA³. Keys: <c>base_model.model.&lt;module&gt;.ia3_l</c>, [1, in] for feed-forward modules and [out, 1] for the
/// others (GPT-2's Conv1D layers too), for every targeted linear (the LM head may be one).
/// </summary>
internal sealed class Ia3Method : IAdapterMethod
{
    public const string Type = "IA3";

    public string PeftType => Type;

    public HostAdapter Read(AdapterFiles files, AdapterWeights weights, BaseModel baseModel)
    {
        var config = Ia3Config.Read(AdapterReader.Fields(files));
        var vectors = new Dictionary<LinearSite, torch.Tensor>();
        var feedForward = new HashSet<LinearSite>();
        foreach (var site in config.Targets.Linears($"adapter '{files.Name}'", baseModel, "IA³", head: true, embedding: false))
        {
            bool ff = config.IsFeedForward(site.Path);
            long[] shape = ff ? [1, site.InFeatures] : [site.OutFeatures, 1];
            vectors[site] = weights.Take(Key(site.Path), shape, ff ? $"{site.Path} is feed-forward: scales its input" : $"scales the output of {site.Path}").flatten();
            if (ff) feedForward.Add(site);
        }
        return new Ia3Adapter(files.Name, vectors, feedForward);
    }

    public Func<CausalLM, TrainableAdapter>? Trainable(JsonFields config, BaseModel baseModel)
    {
        var c = Ia3Config.Read(config, baseModel);
        var sites = c.Targets.Linears(config.File, baseModel, "IA³ training", head: false, embedding: false);
        return model => new TrainableIa3(model, c, sites);
    }

    public static string Key(string module) => $"base_model.model.{module}.ia3_l";
}
