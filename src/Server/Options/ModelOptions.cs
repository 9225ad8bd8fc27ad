namespace Peft.Server.Options;

/// <summary>The <c>Model</c> section: the base model the server keeps resident. Validated by <see cref="ModelOptionsValidator"/>.</summary>
public sealed class ModelOptions
{
    public const string Section = "Model";

    /// <summary>
    /// A Hugging Face model directory (config.json, safetensors weights, optionally tokenizer files), relative to the
    /// working directory (the repository root under <c>dotnet run --project src/Server</c>) or absolute. Default <c>models/demo</c>, the bundled
    /// demo model. Without tokenizer files only token-id prompts are served.
    /// </summary>
    public string Path { get; set; } = "models/demo";

    /// <summary><c>cpu</c>, <c>cuda</c>, <c>cuda:N</c> or <c>auto</c> (CUDA when present). Default auto.</summary>
    public string Device { get; set; } = "auto";

    /// <summary><c>float32</c>, <c>bfloat16</c> or <c>float16</c>: weights, activations and KV cache. Default float32.</summary>
    public string Dtype { get; set; } = "float32";

    /// <summary><c>none</c> (default) or <c>int8</c>: weight-only INT8 for the base's linear layers (docs/quantization.md).
    /// Adapters, norms and activations stay in <see cref="Dtype"/>.</summary>
    public string Quantization { get; set; } = "none";

    /// <summary>With <see cref="Quantization"/> int8: quantize the embedding tables too. Default true.</summary>
    public bool QuantizeEmbeddings { get; set; } = true;

    /// <summary>With <see cref="Quantization"/> int8: quantize the output projection (LM head) too. Default true.</summary>
    public bool QuantizeHead { get; set; } = true;

    /// <summary>On the CPU, leave the float token (and position) embedding tables in the model file and read the rows
    /// each step needs instead of holding the whole table: the page cache keeps the rows in use. Default true; false
    /// loads them like every other weight.</summary>
    public bool EmbeddingsFromFile { get; set; } = true;

    /// <summary>Threads for CPU work: libtorch's intra-op threads and the INT8 kernels. 0 (default): one per core. On a
    /// host shared with other busy processes, 1 is often faster (docs/build.md).</summary>
    public int Threads { get; set; }

    /// <summary>The base model's name in the OpenAI-compatible API (<c>model</c> in requests, <c>/v1/models</c>).
    /// Default: the model directory's name (<c>demo</c> for models/demo).</summary>
    public string? ServedName { get; set; }

    /// <summary>Run one worst-case step (a full Engine:MaxBatchTokens prefill) before reporting SERVING. Default true.</summary>
    public bool WarmUp { get; set; } = true;
}
