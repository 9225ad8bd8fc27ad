using Peft.Runtime.Models;
using Peft.Runtime.Safetensors;

namespace Peft.Tools.DemoModel.Pretraining;

/// <summary><c>model.safetensors</c> as transformers writes it: F32, HF names, <c>{"format": "pt"}</c> metadata.</summary>
internal static class ModelWeightsFile
{
    public const string FileName = "model.safetensors";

    /// <summary>What <c>save_pretrained</c> puts in <c>__metadata__</c>; transformers checks it when loading.</summary>
    public static IReadOnlyDictionary<string, string> Metadata { get; } = new Dictionary<string, string> { ["format"] = "pt" };

    /// <summary>Writes the model's own tensors under their checkpoint names (a tied head is one tensor, written once).</summary>
    public static void Write(DirectoryInfo directory, CausalLM model)
    {
        if (model.Weights.Any(w => w.StoredTransposed))
            throw new NotSupportedException("only Llama-family models are written here (GPT-2 stores transposed weights)");
        SafetensorsWriter.Write(
            Path.Combine(directory.FullName, FileName),
            model.Weights.Select(w => KeyValuePair.Create(w.Name, w.Tensor)),
            Metadata);
    }
}
