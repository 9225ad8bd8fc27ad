using Peft.LoadTests.Synthetic;
using Peft.Runtime.Adapters;
using Peft.Runtime.Adapters.Lora;
using Peft.Runtime.Models;
using TorchSharp;

namespace Peft.LoadTests.Tests;

/// <summary>The synthetic checkpoint and adapters are real Hugging Face / PEFT files: the product's own loaders take them.</summary>
public sealed class SyntheticFilesTests : IDisposable
{
    private static readonly ModelShape Tiny = new(Hidden: 64, Layers: 2, Heads: 4, KvHeads: 2, Intermediate: 96, Vocab: 128, MaxPositions: 256);
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"peft-synthetic-{Guid.NewGuid():N}");

    [Fact]
    public void The_checkpoint_loads_with_the_shape_it_was_written_with()
    {
        var cache = new BenchCache(_root);
        using var model = CausalLM.Load(cache.Model(Tiny, seed: 3), new ModelLoadOptions());
        Assert.Equal("LlamaForCausalLM", model.Config.Architecture);
        Assert.Equal((64, 2, 4, 2, 16, 96, 128), (model.Config.HiddenSize, model.Config.NumLayers, model.Config.NumHeads, model.Config.NumKeyValueHeads,
            model.Config.HeadDim, model.Config.IntermediateSize, model.Config.VocabSize));
        Assert.False(model.Config.TieWordEmbeddings);
        Assert.Empty(model.UnusedTensors);
        Assert.Equal(Tiny.Linears().Select(l => (l.Module, l.In, l.Out)), model.LinearSites.Select(s => (s.Path, s.InFeatures, s.OutFeatures)));
        Assert.Equal(Tiny.MatmulParameters, model.LinearSites.Sum(s => (long)s.InFeatures * s.OutFeatures) + 128L * 64);

        using var scope = torch.NewDisposeScope();
        var std = model.SiteWeight(model.LinearSites[0]).ToDense(torch.ScalarType.Float32).std().item<float>();
        Assert.InRange(std, 0.015f, 0.025f);
    }

    [Fact]
    public void The_same_seed_writes_the_same_bytes_and_a_finished_directory_is_reused()
    {
        var cache = new BenchCache(_root);
        string first = cache.Model(Tiny, seed: 3);
        var bytes = File.ReadAllBytes(Path.Combine(first, SyntheticCheckpoint.WeightsFile));
        var written = File.GetLastWriteTimeUtc(Path.Combine(first, SyntheticCheckpoint.WeightsFile));
        Assert.Equal(first, cache.Model(Tiny, seed: 3));
        Assert.Equal(written, File.GetLastWriteTimeUtc(Path.Combine(first, SyntheticCheckpoint.WeightsFile)));

        string other = Path.Combine(_root, "again");
        SyntheticCheckpoint.Write(other, Tiny, seed: 3);
        Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(other, SyntheticCheckpoint.WeightsFile)));
    }

    [Theory]
    [InlineData(torch.ScalarType.Float32)]
    [InlineData(torch.ScalarType.BFloat16)]
    public void Adapters_are_peft_lora_files_on_every_linear_with_nonzero_b(torch.ScalarType dtype)
    {
        var cache = new BenchCache(_root);
        using var model = CausalLM.Load(cache.Model(Tiny, seed: 3), new ModelLoadOptions());
        string dir = cache.Adapter(Tiny, rank: 4, dtype, index: 7);
        using var adapter = (LoraAdapter)AdapterReader.Read("x", dir, BaseModel.Of(model));
        Assert.Equal("LORA", adapter.PeftType);
        Assert.Equal(4, adapter.Rank);
        Assert.Equal(SyntheticLora.AllLinear.Order(), adapter.TargetModules);
        Assert.Equal(model.LinearSites.Count, adapter.Modules.Count);
        Assert.Equal(SyntheticLora.Bytes(Tiny, 4, torch.ScalarType.Float32), adapter.SizeBytes);
        using var scope = torch.NewDisposeScope();
        Assert.All(adapter.Modules.Values, m =>
        {
            Assert.Equal(2.0, m.Scaling);   // alpha = 2r
            Assert.True(m.B.abs().sum().item<float>() > 0);
        });
    }

    [Fact]
    public void The_mixed_methods_wave_has_dora_and_ia3_files_the_server_reads()
    {
        var cache = new BenchCache(_root);
        using var model = CausalLM.Load(cache.Model(Tiny, seed: 3), new ModelLoadOptions());
        using var dora = AdapterReader.Read("dora", cache.DoraAdapter(Tiny, rank: 4, index: 1), BaseModel.Of(model));
        Assert.Equal(("LORA", 4, 4), (dora.PeftType, dora.Rank, dora.SlotRank));
        Assert.Equal(SyntheticLora.AllLinear.Order(), dora.TargetModules);
        using var ia3 = AdapterReader.Read("ia3", cache.Ia3Adapter(Tiny, index: 1), BaseModel.Of(model));
        Assert.Equal(("IA3", 0), (ia3.PeftType, ia3.SlotRank));
        Assert.Equal(["down_proj", "k_proj", "v_proj"], ia3.TargetModules);
    }

    [Fact]
    public void Different_adapters_of_a_set_differ()
    {
        var cache = new BenchCache(_root);
        var a = File.ReadAllBytes(Path.Combine(cache.Adapter(Tiny, 4, torch.ScalarType.Float32, 0), "adapter_model.safetensors"));
        var b = File.ReadAllBytes(Path.Combine(cache.Adapter(Tiny, 4, torch.ScalarType.Float32, 1), "adapter_model.safetensors"));
        Assert.Equal(a.Length, b.Length);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void The_bench_shape_is_the_design_documents()
    {
        var s = ModelShape.Bench;
        Assert.Equal((1024, 8, 16, 4, 2816, 32000, 64), (s.Hidden, s.Layers, s.Heads, s.KvHeads, s.Intermediate, s.Vocab, s.HeadDim));
        Assert.Equal(56, s.Linears().Count());
        // rank 16 on all 7 linears of 8 layers: 16 * (2*1024 + 2*1280 + 3*3840) * 8 parameters
        Assert.Equal(16L * 18176 * 8 * 4, SyntheticLora.Bytes(s, 16, torch.ScalarType.Float32));
    }

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
