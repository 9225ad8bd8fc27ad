using Peft.Runtime.Adapters.VirtualTokens;

namespace Peft.Runtime.Adapters.PromptTuning;

/// <summary>PEFT prompt tuning: learned virtual token embeddings.</summary>
internal sealed class PromptTuningMethod : IAdapterMethod
{
    public const string Type = "PROMPT_TUNING";

    public string PeftType => Type;

    public HostAdapter Read(AdapterFiles files, AdapterWeights weights, BaseModel baseModel) =>
        VirtualTokenAdapter.Read(Type, files, weights, baseModel);
}
