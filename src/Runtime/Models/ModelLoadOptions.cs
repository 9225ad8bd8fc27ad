using Peft.Runtime.Models.Weights;
using Peft.Runtime.Torch;
using TorchSharp;

namespace Peft.Runtime.Models;

/// <summary>Where and in which precision the base model is held.</summary>
public sealed record ModelLoadOptions
{
    public DeviceSpec Device { get; init; } = DeviceSpec.Cpu;

    /// <summary>Weights, activations and KV cache dtype. Norms and softmax always compute in float32.</summary>
    public torch.ScalarType Dtype { get; init; } = torch.ScalarType.Float32;

    /// <summary>How the frozen matrices are held (float by default; INT8 weight-only, docs/quantization.md).</summary>
    public WeightQuantization Quantization { get; init; } = WeightQuantization.None;

    /// <summary>Threads this assembly's own CPU kernels use (the INT8 products); 0: one per core. libtorch's own
    /// thread count is set apart (<c>torch.set_num_threads</c>).</summary>
    public int Threads { get; init; }

    /// <summary>Leave float embedding tables of a CPU model in the checkpoint file and read the rows each lookup needs
    /// (<see cref="Weights.StoredMatrix"/>) instead of holding the whole table: a 32k-token float32 vocabulary at hidden
    /// 1024 is 125 MiB of memory the process no longer holds. Off by default here (a model being trained or saved whole
    /// wants every weight as a tensor, <see cref="CausalLM.Weights"/>); the server turns it on.</summary>
    public bool EmbeddingsFromFile { get; init; }

    /// <summary>float32 | bfloat16 | float16 (also fp32, bf16, fp16).</summary>
    public static torch.ScalarType ParseDtype(string text) => text.Trim().ToLowerInvariant() switch
    {
        "float32" or "fp32" or "f32" => torch.ScalarType.Float32,
        "bfloat16" or "bf16" => torch.ScalarType.BFloat16,
        "float16" or "fp16" or "f16" or "half" => torch.ScalarType.Float16,
        _ => throw new FormatException($"dtype '{text}' is not one of float32, bfloat16, float16"),
    };
}
