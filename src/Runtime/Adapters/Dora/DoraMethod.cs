using Peft.Runtime.Adapters.Bias;
using Peft.Runtime.Adapters.Lora;
using Peft.Runtime.Json;
using Peft.Runtime.Models;
using Peft.Runtime.Training.Methods;
using TorchSharp;

namespace Peft.Runtime.Adapters.Dora;

/// <summary>
/// PEFT DoRA: a LORA config with use_dora. Keys: LoRA's, plus <c>base_model.model.&lt;module&gt;.lora_magnitude_vector</c>
/// per targeted module: [out] for linears (the LM head: [vocab]), [hidden] for the token embedding.
/// </summary>
internal sealed class DoraMethod : IAdapterMethod
{
    public string PeftType => LoraMethod.Type;

    public bool Reads(JsonFields config) => config.OptionalBool("use_dora") == true;

    public HostAdapter Read(AdapterFiles files, AdapterWeights weights, BaseModel baseModel)
    {
        var f = AdapterReader.Fields(files);
        var config = LoraConfig.Read(f);
        var factors = LoraFactors.Read(weights, baseModel, config);
        var magnitudes = new Dictionary<int, torch.Tensor>();
        foreach (var module in factors.Modules.Values)
            magnitudes[module.Site.Index] = weights.Take(MagnitudeKey(module.Site.Path), [module.Site.OutFeatures], $"one magnitude per output of {module.Site.Path}");
        var lora = new LoraAdapter(files.Name, factors.Modules)
        {
            Head = factors.Head,
            Embedding = factors.Embedding,
            Biases = BiasOverrides.Read(weights, baseModel, config.Bias),
        };
        return new DoraAdapter(lora, magnitudes)
        {
            HeadMagnitude = factors.Head is null ? null
                : weights.Take(MagnitudeKey(baseModel.Head.Path), [baseModel.Head.OutFeatures], "one magnitude per vocabulary entry"),
            // PEFT's DoRA embedding layer treats the embedding as fan_in_fan_out: one magnitude per hidden channel.
            EmbeddingMagnitude = factors.Embedding is null ? null
                : weights.Take(MagnitudeKey(baseModel.EmbeddingPath), [baseModel.Config.HiddenSize], "one magnitude per hidden channel"),
        };
    }

    public Func<CausalLM, TrainableAdapter>? Trainable(JsonFields config, BaseModel baseModel)
    {
        var (c, sites) = LoraTrainingConfigs.Read(config, baseModel);
        return model => new TrainableDora(model, c, sites);
    }

    public static string MagnitudeKey(string module) => $"{LoraFactors.KeyPrefix}{module}.lora_magnitude_vector";
}
