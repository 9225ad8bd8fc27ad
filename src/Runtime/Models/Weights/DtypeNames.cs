using TorchSharp;

namespace Peft.Runtime.Models.Weights;

/// <summary>The names metrics and reports give storage dtypes (safetensors-style lower case).</summary>
internal static class DtypeNames
{
    public static string Of(torch.ScalarType dtype) => dtype switch
    {
        torch.ScalarType.Float32 => "float32",
        torch.ScalarType.BFloat16 => "bfloat16",
        torch.ScalarType.Float16 => "float16",
        torch.ScalarType.Int8 => "int8",
        torch.ScalarType.Byte => "uint8",
        _ => dtype.ToString().ToLowerInvariant(),
    };
}
