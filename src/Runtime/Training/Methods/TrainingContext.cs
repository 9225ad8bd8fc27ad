using Peft.Runtime.Adapters;
using Peft.Runtime.Models;

namespace Peft.Runtime.Training.Methods;

/// <summary>What a method needs to validate and build its trainable form: the resident model and its tokenizer.</summary>
public sealed class TrainingContext(CausalLM model, Func<string, IReadOnlyList<int>>? tokenize)
{
    private BaseModel? _base;

    public CausalLM Model { get; } = model;

    /// <summary>Text → token ids without special tokens (prompt-tuning text init); null without a tokenizer.</summary>
    public Func<string, IReadOnlyList<int>>? Tokenize { get; } = tokenize;

    /// <summary>The model as adapter readers validate against.</summary>
    public BaseModel BaseModel => _base ??= BaseModel.Of(Model);
}
