using Peft.Runtime.Safetensors;

namespace Peft.Runtime.Adapters;

/// <summary>One PEFT method: reads its config and weights and validates them against the base model.
/// Adding a method is one implementation and one line in <see cref="AdapterMethods"/>.</summary>
public interface IAdapterMethod
{
    /// <summary>The <c>peft_type</c> value this method reads.</summary>
    string PeftType { get; }

    HostAdapter Read(AdapterFiles files, SafetensorsFile weights, BaseModel baseModel);
}
