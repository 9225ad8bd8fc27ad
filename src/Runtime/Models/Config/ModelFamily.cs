namespace Peft.Runtime.Models.Config;

/// <summary>The block structures this runtime implements. Llama, Mistral and Qwen2 share one (Llama) forward.</summary>
public enum ModelFamily
{
    Llama,
    Mistral,
    Qwen2,
    Gpt2,
}
