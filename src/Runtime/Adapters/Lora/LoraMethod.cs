using Peft.Runtime.Adapters.Bias;
using Peft.Runtime.Json;
using Peft.Runtime.Models;
using Peft.Runtime.Training.Methods;

namespace Peft.Runtime.Adapters.Lora;

/// <summary>PEFT LoRA: low-rank factors on the targeted linears of the decoder blocks (held in a LoRA slot), the LM head
/// and the token embedding, and the base biases the file replaces (bias="all"; "lora_only" files hold none).</summary>
internal sealed class LoraMethod : IAdapterMethod
{
    public const string Type = "LORA";

    public string PeftType => Type;

    public HostAdapter Read(AdapterFiles files, AdapterWeights weights, BaseModel baseModel)
    {
        var f = AdapterReader.Fields(files);
        var config = LoraConfig.Read(f);
        if (config.UseDora) throw LoraConfig.Unsupported(f, "use_dora", "true", "DoRA is not implemented");
        var factors = LoraFactors.Read(weights, baseModel, config);
        return new LoraAdapter(files.Name, factors.Modules)
        {
            Head = factors.Head,
            Embedding = factors.Embedding,
            Biases = BiasOverrides.Read(weights, baseModel, config.Bias),
        };
    }

    public Func<CausalLM, TrainableAdapter>? Trainable(JsonFields config, BaseModel baseModel)
    {
        var (c, sites) = LoraTrainingConfigs.Read(config, baseModel);
        var hyper = new LoraTrainingConfig
        {
            Rank = c.R,
            Alpha = c.Alpha,
            UseRsLora = c.UseRsLora,
            Dropout = c.Dropout,
            TargetModules = [.. sites.Select(s => s.Name).Distinct()],
        };
        return model => new TrainableLora(model, hyper);
    }
}
