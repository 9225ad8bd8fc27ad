using Peft.Runtime.Safetensors;
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
                : normal(0.0, LlamaShape.InitializerRange, t.Shape, generator: generator)))
            .ToList();
        SafetensorsWriter.Write(Path.Combine(directory.FullName, ModelWeightsFile.FileName), tensors, ModelWeightsFile.Metadata);
    }

    private static bool IsNorm(string name) => name.EndsWith("norm.weight", StringComparison.Ordinal);
}
