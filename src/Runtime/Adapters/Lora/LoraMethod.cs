using Peft.Runtime.Json;

namespace Peft.Runtime.Adapters.Lora;

/// <summary>PEFT LoRA: low-rank factors on the targeted linears of the decoder blocks, held in a LoRA slot.</summary>
internal sealed class LoraMethod : IAdapterMethod
{
    public const string Type = "LORA";

    public string PeftType => Type;

    public HostAdapter Read(AdapterFiles files, AdapterWeights weights, BaseModel baseModel)
    {
        var f = AdapterReader.Fields(files);
        var config = LoraConfig.Read(f);
        if (config.UseDora) throw LoraConfig.Unsupported(f, "use_dora", "true", "DoRA is not implemented");
        if (config.Bias != "none") throw LoraConfig.Unsupported(f, "bias", $"'{config.Bias}'", "only 'none': LoRA bias terms are not implemented");
        var factors = LoraFactors.Read(weights, baseModel, config);
        return new LoraAdapter(files.Name, factors.Modules);
    }
}
