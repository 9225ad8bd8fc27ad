using Peft.Runtime.Safetensors;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Safetensors;

public sealed class CheckpointTests : IDisposable
{
    private const string Shard1 = "model-00001-of-00002.safetensors";
    private const string Shard2 = "model-00002-of-00002.safetensors";

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private void WriteShard(string file, params string[] names)
    {
        using var scope = NewDisposeScope();
        SafetensorsWriter.Write(_dir.File(file),
            names.Select((n, i) => KeyValuePair.Create(n, full(2, 3, (float)n.Length + i, ScalarType.Float32))),
            new Dictionary<string, string> { ["format"] = "pt" });
    }

    private void WriteIndex(params (string Tensor, string Shard)[] map)
    {
        string weightMap = string.Join(",", map.Select(p => $"\"{p.Tensor}\":\"{p.Shard}\""));
        File.WriteAllText(_dir.File(CheckpointFiles.IndexFile),
            $"{{\"metadata\":{{\"total_size\":72}},\"weight_map\":{{{weightMap}}}}}");
    }

    private SafetensorsFormatException Refused()
        => Assert.Throws<SafetensorsFormatException>(() => SafetensorsCheckpoint.Open(_dir.Path).Dispose());

    [Fact]
    public void Two_shards_and_an_index_round_trip_through_the_checkpoint()
    {
        using (var scope = NewDisposeScope())
        {
            var embed = arange(0, 12, ScalarType.Float32).reshape(3, 4);
            var q = arange(100, 106, ScalarType.BFloat16).reshape(2, 3);
            var norm = ones(4, ScalarType.Float32);
            SafetensorsWriter.Write(_dir.File(Shard1), [new("model.embed_tokens.weight", embed), new("model.norm.weight", norm)]);
            SafetensorsWriter.Write(_dir.File(Shard2), [new("model.layers.0.self_attn.q_proj.weight", q)]);
        }
        WriteIndex(("model.embed_tokens.weight", Shard1), ("model.norm.weight", Shard1), ("model.layers.0.self_attn.q_proj.weight", Shard2));

        using var checkpoint = SafetensorsCheckpoint.Open(_dir.Path);

        Assert.Equal(["model.embed_tokens.weight", "model.layers.0.self_attn.q_proj.weight", "model.norm.weight"], checkpoint.Names);
        Assert.Equal([_dir.File(Shard1), _dir.File(Shard2)], checkpoint.Files);
        Assert.Equal("72", checkpoint.Metadata["total_size"]);
        Assert.True(checkpoint.TryGetInfo("model.layers.0.self_attn.q_proj.weight", out var info));
        Assert.Equal(SafetensorsDtype.BF16, info.Dtype);
        using var embedBack = checkpoint.Load("model.embed_tokens.weight");
        using var qBack = checkpoint.Load("model.layers.0.self_attn.q_proj.weight", ScalarType.Float32);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (float)i), embedBack.data<float>().ToArray());
        Assert.Equal(Enumerable.Range(100, 6).Select(i => (float)i), qBack.data<float>().ToArray());
        Assert.Throws<KeyNotFoundException>(() => checkpoint.Load("lm_head.weight"));
    }

    [Fact]
    public void A_single_file_is_preferred_and_pickles_next_to_it_are_ignored()
    {
        WriteShard(CheckpointFiles.SingleFile, "w");
        File.WriteAllText(_dir.File("pytorch_model.bin"), "pickle");

        using var checkpoint = SafetensorsCheckpoint.Open(_dir.Path);

        Assert.Equal(["w"], checkpoint.Names);
        Assert.Equal("pt", checkpoint.Metadata["format"]);
    }

    [Theory]
    [InlineData("pytorch_model.bin")]
    [InlineData("adapter_model.bin")]
    [InlineData("model.pt")]
    [InlineData("weights.pth")]
    [InlineData("last.ckpt")]
    public void A_pickle_only_directory_is_refused_and_nothing_is_unpickled(string pickle)
    {
        File.WriteAllText(_dir.File(pickle), "cos\nsystem\n(S'echo owned'\ntR.");
        File.WriteAllText(_dir.File("config.json"), "{}");

        var e = Refused();

        Assert.Contains($"holds only pickle weights ({pickle})", e.Message);
        Assert.Contains("never loaded", e.Message);
        Assert.Contains("safetensors is required", e.Message);
    }

    [Fact]
    public void An_empty_directory_says_which_files_were_looked_for()
    {
        var e = Assert.Throws<FileNotFoundException>(() => SafetensorsCheckpoint.Open(_dir.Path));

        Assert.Contains("no model weights found; looked for model.safetensors and model.safetensors.index.json", e.Message);
    }

    [Fact]
    public void A_missing_directory_says_so()
        => Assert.Contains("does not exist",
            Assert.Throws<DirectoryNotFoundException>(() => SafetensorsCheckpoint.Open(_dir.File("nope"))).Message);

    [Fact]
    public void A_missing_shard_is_named()
    {
        WriteShard(Shard1, "a");
        WriteIndex(("a", Shard1), ("b", Shard2), ("c", Shard2));

        var e = Refused();

        Assert.Contains($"maps 2 tensors (e.g. 'b') to shard '{Shard2}', which does not exist", e.Message);
    }

    [Fact]
    public void A_tensor_missing_from_its_shard_is_named()
    {
        WriteShard(Shard1, "a");
        WriteShard(Shard2, "b");
        WriteIndex(("a", Shard1), ("b", Shard2), ("c", Shard2));

        var e = Refused();

        Assert.Equal("c", e.TensorName);
        Assert.Contains($"tensor 'c' is mapped to shard '{Shard2}', but that shard has no such tensor", e.Message);
    }

    [Fact]
    public void A_tensor_in_two_shards_is_refused()
    {
        WriteShard(Shard1, "a", "shared");
        WriteShard(Shard2, "b", "shared");
        WriteIndex(("a", Shard1), ("b", Shard2), ("shared", Shard1));

        var e = Refused();

        Assert.Contains($"tensor 'shared' is stored in two shards, '{Shard1}' and '{Shard2}'", e.Message);
    }

    [Fact]
    public void A_tensor_the_index_does_not_list_is_refused()
    {
        WriteShard(Shard1, "a", "stray");
        WriteIndex(("a", Shard1));

        Assert.Contains($"tensor 'stray' is stored in shard '{Shard1}' but 'weight_map' does not list it", Refused().Message);
    }

    [Fact]
    public void A_tensor_the_index_places_elsewhere_is_refused()
    {
        WriteShard(Shard1, "a");
        WriteShard(Shard2, "b");
        WriteIndex(("a", Shard2), ("b", Shard1));

        Assert.Contains($"tensor 'a' is stored in shard '{Shard1}' but 'weight_map' maps it to '{Shard2}'", Refused().Message);
    }

    [Theory]
    [InlineData("../outside.safetensors")]
    [InlineData("/etc/passwd")]
    [InlineData("sub/model.safetensors")]
    public void Shards_outside_the_directory_are_refused(string shard)
    {
        WriteIndex(("a", shard));

        Assert.Contains($"tensor 'a' is mapped to '{shard}', which is not a plain file name", Refused().Message);
    }

    [Theory]
    [InlineData("{\"weight_map\":", "is not valid JSON")]
    [InlineData("{\"metadata\":{}}", "has no 'weight_map' object")]
    [InlineData("{\"weight_map\":{\"a\":3}}", "tensor 'a' is mapped to 3, expected a shard file name")]
    [InlineData("{\"weight_map\":{\"a\":\"x.safetensors\",\"a\":\"y.safetensors\"}}", "tensor 'a' is listed twice in 'weight_map'")]
    public void A_broken_index_is_refused(string index, string expected)
    {
        File.WriteAllText(_dir.File(CheckpointFiles.IndexFile), index);

        var e = Refused();

        Assert.StartsWith(_dir.File(CheckpointFiles.IndexFile) + ": ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_corrupt_shard_is_named_by_its_path()
    {
        WriteShard(Shard1, "a");
        File.WriteAllBytes(_dir.File(Shard2), new byte[4]);
        WriteIndex(("a", Shard1), ("b", Shard2));

        Assert.StartsWith(_dir.File(Shard2) + ": ", Refused().Message);
    }
}
