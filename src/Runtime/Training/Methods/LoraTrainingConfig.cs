namespace Peft.Runtime.Training.Methods;

/// <summary>Hyperparameters of the four methods, as the Training API takes them.</summary>
public abstract record MethodConfig;

public sealed record LoraTrainingConfig : MethodConfig
{
    public int Rank { get; init; } = 8;
    public double Alpha { get; init; } = 16;
    public bool UseRsLora { get; init; }
    public double Dropout { get; init; } = 0.05;
    /// <summary>Module names (q_proj, ...); empty: every linear layer of the blocks ("all-linear").</summary>
    public IReadOnlyList<string> TargetModules { get; init; } = ["q_proj", "v_proj"];
}

public sealed record PromptTuningTrainingConfig : MethodConfig
{
    public int VirtualTokens { get; init; } = 16;
    /// <summary>Null: random init (PEFT RANDOM); else the embeddings of this text, repeated to the length (PEFT TEXT).</summary>
    public string? InitText { get; init; }
}

public sealed record PTuningTrainingConfig : MethodConfig
{
    public int VirtualTokens { get; init; } = 16;
    public int EncoderHiddenSize { get; init; } = 128;
}

public sealed record PrefixTuningTrainingConfig : MethodConfig
{
    public int VirtualTokens { get; init; } = 16;
    /// <summary>Reparameterise through an MLP (PEFT prefix_projection).</summary>
    public bool Projection { get; init; }
    public int EncoderHiddenSize { get; init; } = 128;
}
