using TorchSharp;

namespace Peft.Runtime.Torch;

/// <summary>
/// Where tensors live, as configured: <c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>, or <c>auto</c> (CUDA when this
/// build and host have it, else CPU). Every component that allocates tensors takes its device from here.
/// </summary>
public sealed record DeviceSpec(DeviceType Type, int Index)
{
    public static DeviceSpec Cpu { get; } = new(DeviceType.CPU, -1);

    public static DeviceSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string spec = text.Trim().ToLowerInvariant();
        switch (spec)
        {
            case "cpu":
                return Cpu;
            case "auto":
                return torch.cuda.is_available() ? new DeviceSpec(DeviceType.CUDA, 0) : Cpu;
            case "cuda":
                return new DeviceSpec(DeviceType.CUDA, 0);
        }
        if (spec.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(spec.AsSpan(5), System.Globalization.NumberStyles.None, null, out int index))
            return new DeviceSpec(DeviceType.CUDA, index);
        throw new FormatException($"device '{text}' is not one of cpu, cuda, cuda:N, auto");
    }

    /// <summary>The TorchSharp device; fails with a clear message when CUDA is asked for but not present.</summary>
    public torch.Device ToTorch()
    {
        if (Type == DeviceType.CUDA)
        {
            if (!torch.cuda.is_available())
                throw new InvalidOperationException(
                    $"device {this} was configured, but this build or host has no CUDA (build with -p:TorchBackend=cuda on a CUDA host)");
            if (Index >= torch.cuda.device_count())
                throw new InvalidOperationException($"device {this} was configured, but only {torch.cuda.device_count()} CUDA devices exist");
        }
        return Type == DeviceType.CPU ? torch.CPU : new torch.Device(Type, Index);
    }

    public override string ToString() => Type == DeviceType.CPU ? "cpu" : $"cuda:{Index}";
}
