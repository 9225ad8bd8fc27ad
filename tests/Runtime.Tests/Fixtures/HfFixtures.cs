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

    public static GoldenCase Case(string name) => GoldenCase.Load(Path.Combine(Root, "cases", name));

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

internal sealed class GoldenCase
{
    private readonly string _logitsPath;

    private GoldenCase(string name, JsonElement expected, string logitsPath)
    {
        Name = name;
        Expected = expected;
        _logitsPath = logitsPath;
        Family = expected.GetProperty("family").GetString()!;
        AdapterDirectory = expected.GetProperty("adapter_dir").GetString() is { } a ? Path.Combine(HfFixtures.Root, a) : null;
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

    public string BaseDirectory => HfFixtures.BaseDirectory(Family);

    public static GoldenCase Load(string directory)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, "expected.json")));
        return new GoldenCase(Path.GetFileName(directory), doc.RootElement.Clone(), Path.Combine(directory, "logits.safetensors"));
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
