using System.Text.Json;
using Peft.Runtime.Safetensors;
using TorchSharp;

namespace Peft.Runtime.Tests.Fixtures;

/// <summary>
/// The golden outputs of Hugging Face transformers + PEFT in tests/fixtures/hf (see its README.md): tiny random
/// checkpoints, adapters saved by PEFT, and the reference logits and greedy tokens.
/// </summary>
internal static class HfFixtures
{
    public static string Root { get; } = Path.Combine(RepositoryRoot(), "tests", "fixtures", "hf");

    public static string BaseDirectory(string family) => Path.Combine(Root, family, "base");

    public static string AdapterDirectory(string family, string adapter) => Path.Combine(Root, family, "adapters", adapter);

    public static GoldenCase Case(string name) => GoldenCase.Load(Path.Combine(Root, "cases", name), Root);

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Peft.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no Peft.sln above {AppContext.BaseDirectory}");
    }
}

internal sealed record GoldenPrompt(
    string Name,
    int[] InputIds,
    int[] GreedyNewTokens,
    double[] StepMargins);

/// <summary>
/// tests/fixtures/methods (see its README.md): PEFT's newer methods on bases with randomised norms and biases, in
/// the layout of tests/fixtures/hf.
/// </summary>
internal static class MethodFixtures
{
    public static string Root { get; } = Path.Combine(HfFixtures.RepositoryRoot(), "tests", "fixtures", "methods");

    public static GoldenCase Case(string name) => GoldenCase.Load(Path.Combine(Root, "cases", name), Root);
}

internal sealed class GoldenCase
{
    private readonly string _logitsPath;

    private GoldenCase(string name, JsonElement expected, string logitsPath, string root)
    {
        Name = name;
        Expected = expected;
        _logitsPath = logitsPath;
        Family = expected.GetProperty("family").GetString()!;
        BaseDirectory = Path.Combine(root, expected.GetProperty("base_dir").GetString()!);
        AdapterDirectory = expected.GetProperty("adapter_dir").GetString() is { } a ? Path.Combine(root, a) : null;
        TaskId = expected.TryGetProperty("task_id", out var t) && t.ValueKind == JsonValueKind.Number ? t.GetInt32() : null;
        Prompts = expected.GetProperty("prompts").EnumerateArray().Select(p => new GoldenPrompt(
            p.GetProperty("name").GetString()!,
            p.GetProperty("input_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
            p.GetProperty("greedy_new_tokens").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
            p.GetProperty("step_top1_minus_top2").EnumerateArray().Select(e => e.GetDouble()).ToArray())).ToArray();
    }

    public string Name { get; }
    public string Family { get; }
    public string? AdapterDirectory { get; }
    public JsonElement Expected { get; }
    public IReadOnlyList<GoldenPrompt> Prompts { get; }
    public string BaseDirectory { get; }
    /// <summary>Multitask prompt tuning: the task the reference ran.</summary>
    public int? TaskId { get; }

    public static GoldenCase Load(string directory, string root)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, "expected.json")));
        return new GoldenCase(Path.GetFileName(directory), doc.RootElement.Clone(), Path.Combine(directory, "logits.safetensors"), root);
    }

    public bool HasLogits(string name)
    {
        using var file = SafetensorsFile.Open(_logitsPath);
        return file.TryGetInfo(name, out _);
    }

    /// <summary>A stored logits tensor as float32 on the CPU, owned by the caller's dispose scope.</summary>
    public torch.Tensor Logits(string name)
    {
        using var file = SafetensorsFile.Open(_logitsPath);
        return file.Load(name, torch.ScalarType.Float32, torch.CPU);
    }
}
