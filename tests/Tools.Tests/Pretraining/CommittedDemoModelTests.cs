using System.Text.Json;
using Peft.Runtime.Models;
using Peft.Runtime.Models.Config;
using Peft.Runtime.Safetensors;
using Peft.Tools.DemoModel.Tokenizer;

namespace Peft.Tools.Tests.Pretraining;

/// <summary>The model checked in at models/demo/ is a complete, loadable Hugging Face directory within the size budget.</summary>
public sealed class CommittedDemoModelTests
{
    private const long SizeBudget = 20_000_000;

    private static DirectoryInfo ModelDirectory => new(Path.Combine(RepositoryRoot.Directory.FullName, "models", "demo"));

    [Fact]
    public void Holds_exactly_the_hugging_face_files_and_fits_the_budget()
    {
        var names = ModelDirectory.EnumerateFileSystemInfos().Select(f => f.Name).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(
            ["README.md", "config.json", "generation_config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"],
            names);
        Assert.DoesNotContain(names, n => n.EndsWith(".bin", StringComparison.Ordinal) || n.EndsWith(".pt", StringComparison.Ordinal)
            || n.EndsWith(".pth", StringComparison.Ordinal) || n.EndsWith(".pkl", StringComparison.Ordinal) || n.EndsWith(".ckpt", StringComparison.Ordinal));
        Assert.InRange(ModelDirectory.EnumerateFiles().Sum(f => f.Length), 1, SizeBudget);
    }

    [Fact]
    public void Tokenizer_config_holds_the_demo_chat_template()
    {
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(ModelDirectory.FullName, TokenizerConfigWriter.FileName)));
        Assert.Equal(DemoChatTemplate.Source, config.RootElement.GetProperty("chat_template").GetString());
    }

    [Fact]
    public void Config_describes_a_tied_llama_whose_vocabulary_is_the_tokenizers()
    {
        var config = ModelConfigReader.Read(ModelDirectory.FullName);
        var tokenizer = TokenizerFiles.Load(ModelDirectory);

        Assert.Equal((ModelFamily.Llama, "LlamaForCausalLM", "llama"), (config.Family, config.Architecture, config.ModelType));
        Assert.True(config.TieWordEmbeddings);
        Assert.Equal(10000.0, config.Rope!.Theta);
        Assert.Null(config.Rope.Scaling);
        Assert.Equal(1e-5, config.NormEps);
        Assert.Equal(tokenizer.VocabSize, config.VocabSize);
        Assert.Equal(tokenizer.BosId, config.BosTokenId);
        Assert.Equal([tokenizer.EosId], config.EosTokenIds);

        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(ModelDirectory.FullName, "config.json")));
        Assert.Equal("float32", json.RootElement.GetProperty("torch_dtype").GetString());
        Assert.Equal("silu", json.RootElement.GetProperty("hidden_act").GetString());
    }

    [Fact]
    public void Loads_with_the_runtime_and_its_checkpoint_is_f32_pt_without_a_separate_head()
    {
        using var model = CausalLM.Load(ModelDirectory.FullName, new ModelLoadOptions());
        Assert.Empty(model.UnusedTensors);

        using var file = SafetensorsFile.Open(Path.Combine(ModelDirectory.FullName, "model.safetensors"));
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.DoesNotContain("lm_head.weight", file.Names);
        Assert.All(file.Names, n => Assert.True(file.TryGetInfo(n, out var info) && info.Dtype == SafetensorsDtype.F32, n));
        Assert.Equal(model.Weights.Select(w => w.Name).Order(StringComparer.Ordinal), file.Names);
    }
}
