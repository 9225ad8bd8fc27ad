using Peft.Runtime.Safetensors;
using Peft.Runtime.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Tools.DemoModel.Pretraining;

/// <summary>
/// A freshly initialised checkpoint, as transformers' <c>LlamaPreTrainedModel._init_weights</c> makes one: every linear
/// and the embedding drawn from normal(0, <see cref="LlamaShape.InitializerRange"/>), every RMSNorm weight 1.
/// Written to disk and loaded back with <c>CausalLM.Load</c>, so training starts from exactly what a reader would see.
/// </summary>
internal static class InitialCheckpoint
{
    public static void Write(DirectoryInfo directory, LlamaShape shape, ulong seed)
    {
        directory.Create();
        HfConfigWriter.Write(directory, shape);
        using var scope = NewDisposeScope();
        using var generator = new Generator(seed);
        var tensors = shape.Tensors()
            .Select(t => KeyValuePair.Create(t.Name, IsNorm(t.Name)
                ? ones(t.Shape)
                : Normal(t.Shape, generator)))
            .ToList();
        SafetensorsWriter.Write(Path.Combine(directory.FullName, ModelWeightsFile.FileName), tensors, ModelWeightsFile.Metadata);
    }

    /// <summary>What torch.normal(0, std, shape) computes (randn, times std, plus 0), with held Scalars: the
    /// library's version makes both inside the call (PEFT001). Same values, draw for draw.</summary>
    private static Tensor Normal(long[] shape, Generator generator) =>
        randn(shape, generator: generator).mul_(Scalars.Of(LlamaShape.InitializerRange)).add_(Scalars.Of(0.0), Scalars.One);

    private static bool IsNorm(string name) => name.EndsWith("norm.weight", StringComparison.Ordinal);
}
