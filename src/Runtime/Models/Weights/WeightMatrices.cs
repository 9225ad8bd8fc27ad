using Peft.Kernels.Int8;
using Peft.Runtime.Models.Weights.Int8;
using TorchSharp;

namespace Peft.Runtime.Models.Weights;

/// <summary>Builds the resident form of each base matrix the loader takes, as the quantization settings ask.</summary>
internal sealed class WeightMatrices(WeightQuantization quantization, int threads)
{
    private readonly Int8CpuOptions _cpu = new() { Threads = threads > 0 ? threads : Environment.ProcessorCount };

    public WeightQuantization Quantization => quantization;

    /// <summary>The resident form of <paramref name="weight"/> [rows, columns]; takes ownership of it (a quantized
    /// form disposes it once packed).</summary>
    public IWeightMatrix Create(torch.Tensor weight, MatrixRole role)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (!quantization.Quantizes(role)) return new DenseMatrix(weight);
        using (weight) return QuantizeCopy(weight);
    }

    /// <summary>An INT8 copy of <paramref name="weight"/>, leaving it to its owner.</summary>
    public IWeightMatrix QuantizeCopy(torch.Tensor weight) => weight.device_type == DeviceType.CPU
        ? CpuInt8Matrix.Quantize(weight, _cpu)
        : TorchInt8Matrix.Quantize(weight);
}
