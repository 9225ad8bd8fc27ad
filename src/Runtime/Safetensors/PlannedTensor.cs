using TorchSharp;

namespace Peft.Runtime.Safetensors;

/// <summary>A tensor to be written, with its place in the data region decided.</summary>
internal sealed record PlannedTensor(
    string Name, byte[] Utf8Name, SafetensorsDtype Dtype, long[] Shape, long Begin, long End, torch.Tensor Source);
