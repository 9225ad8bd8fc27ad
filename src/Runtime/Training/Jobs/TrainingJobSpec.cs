using System.Text.Json.Serialization;
using Peft.Runtime.Training.Datasets;
using Peft.Runtime.Training.Methods;

namespace Peft.Runtime.Training.Jobs;

/// <summary>What to train: the adapter id it becomes, the method and its hyperparameters, and how to read the data.</summary>
public sealed record TrainingJobSpec
{
    public required string AdapterId { get; init; }
    /// <summary>Replace an adapter registered under the id when the job finishes (else ALREADY_EXISTS).</summary>
    public bool Replace { get; init; }
    public required MethodSpec Method { get; init; }
    public TrainerOptions Trainer { get; init; } = new();
    public DatasetOptions Dataset { get; init; } = new();
    /// <summary>Without a validation set: hold out this fraction of the training data (0: none).</summary>
    public double ValidationFraction { get; init; }
}

/// <summary>The method, serialisable with its kind (job records survive restarts).</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "method")]
[JsonDerivedType(typeof(LoraSpec), "lora")]
[JsonDerivedType(typeof(PromptTuningSpec), "prompt_tuning")]
[JsonDerivedType(typeof(PTuningSpec), "p_tuning")]
[JsonDerivedType(typeof(PrefixTuningSpec), "prefix_tuning")]
public abstract record MethodSpec;

public sealed record LoraSpec(LoraTrainingConfig Config) : MethodSpec;

public sealed record PromptTuningSpec(PromptTuningTrainingConfig Config) : MethodSpec;

public sealed record PTuningSpec(PTuningTrainingConfig Config) : MethodSpec;

public sealed record PrefixTuningSpec(PrefixTuningTrainingConfig Config) : MethodSpec;
