namespace Peft.Runtime.Models.Weights;

/// <summary>How the base model's frozen matrices are held. Norms, biases and adapters always stay in float.</summary>
public sealed record WeightQuantization
{
    /// <summary>Every matrix in the model dtype.</summary>
    public static WeightQuantization None { get; } = new();

    /// <summary>Weight-only INT8 for every linear of the decoder blocks, the embeddings and the head.</summary>
#pragma warning disable CA1720 // named after the storage type on purpose: it is what users configure
    public static WeightQuantization Int8 { get; } = new() { Format = WeightFormat.Int8 };
#pragma warning restore CA1720

    public WeightFormat Format { get; init; } = WeightFormat.Float;

    /// <summary>Token (and GPT-2 position) embeddings quantized too. Only rows a batch looks up are dequantized.</summary>
    public bool Embeddings { get; init; } = true;

    /// <summary>The output projection quantized too (read in full for every token: a large share of decode bytes).</summary>
    public bool Head { get; init; } = true;

    /// <summary>none | int8.</summary>
    public static WeightFormat ParseFormat(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Trim().ToLowerInvariant() switch
        {
            "" or "none" or "float" => WeightFormat.Float,
            "int8" => WeightFormat.Int8,
            _ => throw new FormatException($"quantization '{text}' is not one of none, int8"),
        };
    }

    /// <summary>Whether a matrix in <paramref name="role"/> is held in <see cref="Format"/>.</summary>
    public bool Quantizes(MatrixRole role) => Format != WeightFormat.Float && role switch
    {
        MatrixRole.Linear => true,
        MatrixRole.Embedding => Embeddings,
        MatrixRole.Head => Head,
        _ => false,
    };
}

/// <summary>How a resident matrix stores its values.</summary>
#pragma warning disable CA1720 // named after the storage types on purpose
public enum WeightFormat
{
    /// <summary>The model dtype (float32, bfloat16 or float16).</summary>
    Float,

    /// <summary>Symmetric per-row INT8 with one float32 scale per output row.</summary>
    Int8,
}
#pragma warning restore CA1720

/// <summary>What a base matrix is used for, which decides whether it is quantized.</summary>
public enum MatrixRole
{
    /// <summary>A linear layer inside a decoder block (an adapter site).</summary>
    Linear,

    /// <summary>An embedding table, read by row.</summary>
    Embedding,

    /// <summary>The output projection to the vocabulary. A head tied to the embedding is one matrix when both roles
    /// are held alike, and a float and an INT8 copy when only one of them is quantized.</summary>
    Head,
}
