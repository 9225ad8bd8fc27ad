using System.Text.Json;
using Peft.Runtime.Safetensors;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Training;

/// <summary>
/// With PEFT_EXPORT_DIR set, tests that train adapters leave each one there with the logits this server serves for
/// it (ours.safetensors: one [n, vocab] tensor per prompt, named by its token ids) and the base it ran on
/// (check.json), for tests/fixtures/tools/check_peft_loads.py to load with PEFT and compare. Unset: nothing.
/// </summary>
internal static class PeftCheckExport
{
    public static void Write(string name, string adapterDirectory, string baseDirectory, IReadOnlyList<KeyValuePair<string, Tensor>> logits)
    {
        if (Environment.GetEnvironmentVariable("PEFT_EXPORT_DIR") is not { Length: > 0 } root) return;
        string target = Path.Combine(root, name);
        if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
        Directory.CreateDirectory(target);
        foreach (string file in Directory.GetFiles(adapterDirectory)) File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        SafetensorsWriter.Write(Path.Combine(target, "ours.safetensors"), logits.Select(p => KeyValuePair.Create(p.Key, p.Value.cpu().contiguous())).ToList());
        File.WriteAllText(Path.Combine(target, "check.json"), JsonSerializer.Serialize(new { base_dir = Path.GetFullPath(baseDirectory) }));
    }
}
