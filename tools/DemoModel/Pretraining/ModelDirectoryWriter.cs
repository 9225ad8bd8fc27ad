using Peft.Runtime.Models;
using Peft.Tools.DemoModel.Tokenizer;

namespace Peft.Tools.DemoModel.Pretraining;

/// <summary>
/// Writes a trained model in the Hugging Face layout: config.json, generation_config.json, model.safetensors, the
/// tokenizer's two files (copied), README.md. The files are written into a staging directory beside the target and
/// moved in only when all are complete, so a failed run never leaves a half-written model.
/// </summary>
internal static class ModelDirectoryWriter
{
    public static IReadOnlyList<string> FileNames { get; } =
    [
        HfConfigWriter.ConfigFileName, HfConfigWriter.GenerationConfigFileName, ModelWeightsFile.FileName,
        TokenizerJsonWriter.FileName, TokenizerConfigWriter.FileName, ModelCard.FileName,
    ];

    public static void Write(DirectoryInfo target, CausalLM model, LlamaShape shape, DirectoryInfo tokenizer, ModelCard card)
    {
        target.Refresh();
        // Only ever replace a model directory's own files: --out pointing at the wrong directory must not delete anything.
        if (target.Exists && target.EnumerateFileSystemInfos().FirstOrDefault(e => !FileNames.Contains(e.Name)) is { } foreign)
            throw new IOException($"{target.FullName} holds '{foreign.Name}', which a model directory does not; choose an empty or new --out.");

        string parent = target.Parent?.FullName ?? throw new ArgumentException($"--out {target.FullName} has no parent directory.");
        Directory.CreateDirectory(parent);
        var staging = new DirectoryInfo(Path.Combine(parent, $".{target.Name}.{Guid.NewGuid():N}.tmp"));
        try
        {
            HfConfigWriter.Write(staging, shape);
            ModelWeightsFile.Write(staging, model);
            File.Copy(Path.Combine(tokenizer.FullName, TokenizerJsonWriter.FileName), Path.Combine(staging.FullName, TokenizerJsonWriter.FileName));
            File.Copy(Path.Combine(tokenizer.FullName, TokenizerConfigWriter.FileName), Path.Combine(staging.FullName, TokenizerConfigWriter.FileName));
            File.WriteAllText(Path.Combine(staging.FullName, ModelCard.FileName), card.ToMarkdown());

            target.Create();
            foreach (string name in FileNames)
                File.Move(Path.Combine(staging.FullName, name), Path.Combine(target.FullName, name), overwrite: true);
        }
        finally
        {
            staging.Refresh();
            if (staging.Exists) staging.Delete(recursive: true);
        }
    }
}
