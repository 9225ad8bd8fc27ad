using System.Text.Json.Serialization;
using Peft.Runtime.Adapters.PrefixTuning;
using Peft.Runtime.Adapters.VirtualTokens;
using Peft.Runtime.Training.Datasets;
using Peft.Runtime.Training.Methods;
using Peft.Runtime.Validation;

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

/// <summary>
/// The method, serialisable with its kind (job records survive restarts). The four typed kinds are the training
/// API's own messages; <see cref="PeftConfigSpec"/> takes any method the server trains as PEFT's config JSON, so a new
/// method needs no new kind here.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "method")]
[JsonDerivedType(typeof(LoraSpec), "lora")]
[JsonDerivedType(typeof(PromptTuningSpec), "prompt_tuning")]
[JsonDerivedType(typeof(PTuningSpec), "p_tuning")]
[JsonDerivedType(typeof(PrefixTuningSpec), "prefix_tuning")]
[JsonDerivedType(typeof(PeftConfigSpec), "peft_config")]
public abstract record MethodSpec
{
    /// <summary>The peft_type the trained adapter is saved with.</summary>
    [JsonIgnore]
    public abstract string PeftType { get; }

    /// <summary>Positions the method's virtual tokens take before each example (prompt learning).</summary>
    [JsonIgnore]
    public virtual int VirtualTokens => 0;

    /// <summary>The learning rate when the request leaves it 0.</summary>
    [JsonIgnore]
    public virtual double DefaultLearningRate => 1e-3;

    /// <summary>Null when the method can be trained on this model as specified; otherwise what is wrong.</summary>
    public abstract string? Problem(TrainingContext context);

    /// <summary>The trainable form (engine thread; the torch seed is already set).</summary>
    public abstract TrainableAdapter Create(TrainingContext context);
}

public sealed record LoraSpec(LoraTrainingConfig Config) : MethodSpec
{
    public override string PeftType => "LORA";

    public override string? Problem(TrainingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var c = Config;
        if (FiniteNumbers.Problem(("lora_alpha", c.Alpha), ("lora_dropout", c.Dropout)) is { } notFinite) return notFinite;
        if (c.Rank is < 1 or > 256) return $"lora rank {c.Rank} must be in [1, 256]";
        if (!(c.Alpha > 0)) return $"lora alpha {c.Alpha} must be positive";
        if (c.Dropout is < 0 or >= 1) return $"lora dropout {c.Dropout} must be in [0, 1)";
        var sites = context.Model.LinearSites;
        var unknown = c.TargetModules.FirstOrDefault(t => !sites.Any(s => s.Name == t));
        return unknown is null ? null
            : $"lora target module '{unknown}' is not a linear layer of this model (it has {string.Join(", ", sites.Select(s => s.Name).Distinct())})";
    }

    public override TrainableAdapter Create(TrainingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new Adapters.Lora.TrainableLora(context.Model, Config);
    }
}

public sealed record PromptTuningSpec(PromptTuningTrainingConfig Config) : MethodSpec
{
    public override string PeftType => "PROMPT_TUNING";

    public override int VirtualTokens => Config.VirtualTokens;

    public override double DefaultLearningRate => 3e-2;

    public override string? Problem(TrainingContext context) => VirtualTokenProblem(VirtualTokens);

    public override TrainableAdapter Create(TrainingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return TrainablePromptTuning.PromptTuning(context.Model, Config, context.Tokenize);
    }

    internal static string? VirtualTokenProblem(int n) => n is < 1 or > 512 ? $"num_virtual_tokens {n} must be in [1, 512]" : null;
}

public sealed record PTuningSpec(PTuningTrainingConfig Config) : MethodSpec
{
    public override string PeftType => "P_TUNING";

    public override int VirtualTokens => Config.VirtualTokens;

    public override double DefaultLearningRate => 3e-2;

    public override string? Problem(TrainingContext context) => Config.EncoderHiddenSize is < 1 or > 8192
        ? $"encoder_hidden_size {Config.EncoderHiddenSize} must be in [1, 8192]"
        : PromptTuningSpec.VirtualTokenProblem(VirtualTokens);

    public override TrainableAdapter Create(TrainingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return TrainablePromptTuning.PTuning(context.Model, Config);
    }
}

public sealed record PrefixTuningSpec(PrefixTuningTrainingConfig Config) : MethodSpec
{
    public override string PeftType => "PREFIX_TUNING";

    public override int VirtualTokens => Config.VirtualTokens;

    public override double DefaultLearningRate => 3e-2;

    public override string? Problem(TrainingContext context) => Config is { Projection: true, EncoderHiddenSize: < 1 or > 8192 }
        ? $"encoder_hidden_size {Config.EncoderHiddenSize} must be in [1, 8192]"
        : PromptTuningSpec.VirtualTokenProblem(VirtualTokens);

    public override TrainableAdapter Create(TrainingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new TrainablePrefixTuning(context.Model, Config);
    }
}
