using Peft.Runtime.Json;
using Peft.Runtime.Models;
using Peft.Runtime.Training.Methods;

namespace Peft.Runtime.Adapters;

/// <summary>
/// One PEFT method, the seam between it and the rest of the server: it reads and validates its config and weights
/// into a <see cref="HostAdapter"/> (which knows its device form, its batch contribution and its math), and it
/// builds its trainable form. Adding a method is its folder plus one line in <see cref="AdapterMethods"/>.
/// </summary>
internal interface IAdapterMethod
{
    /// <summary>The <c>peft_type</c> value this method reads.</summary>
    string PeftType { get; }

    /// <summary>Whether this method reads a config of its peft_type (DoRA: LORA with use_dora); the first registered
    /// method that does is chosen.</summary>
    bool Reads(JsonFields config) => true;

    /// <summary>Reads the method's tensors from <paramref name="weights"/> (each read is remembered: a tensor no part
    /// of the method reads is refused by name afterwards) and validates them against the base.</summary>
    HostAdapter Read(AdapterFiles files, AdapterWeights weights, BaseModel baseModel);

    /// <summary>
    /// Validates a PEFT config given to the training API (adapter_config.json's fields) against the base and returns
    /// what builds the trainable form on the engine thread; throws <see cref="AdapterLoadException"/> naming the
    /// field. Null: the server does not train this method.
    /// </summary>
    Func<CausalLM, TrainableAdapter>? Trainable(JsonFields config, BaseModel baseModel) => null;
}
