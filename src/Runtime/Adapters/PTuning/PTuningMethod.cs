using Peft.Runtime.Adapters.VirtualTokens;

namespace Peft.Runtime.Adapters.PTuning;

/// <summary>PEFT P-tuning: virtual tokens produced by a prompt encoder; the saved tensor is the encoder's output.</summary>
internal sealed class PTuningMethod : IAdapterMethod
{
    public const string Type = "P_TUNING";

    public string PeftType => Type;

    public HostAdapter Read(AdapterFiles files, AdapterWeights weights, BaseModel baseModel) =>
        VirtualTokenAdapter.Read(Type, files, weights, baseModel);
}
