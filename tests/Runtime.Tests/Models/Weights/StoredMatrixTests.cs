using Peft.Runtime.Models;
using Peft.Runtime.Models.Weights;
using Peft.Runtime.Safetensors;
using Peft.Runtime.Tests.Fixtures;
using Peft.Runtime.Tests.Safetensors;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Models.Weights;

/// <summary>
/// An embedding table left in its file: lookups, copies and comparisons read exactly the stored rows; the reader
/// keeps the file it validated (a replacement by rename is never mixed in) and a file truncated under it fails the
/// read with a named error; a model loaded this way computes the same logits and holds the table's bytes less.
/// </summary>
public sealed class StoredMatrixTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Lookups_copies_and_comparisons_read_exactly_the_stored_rows()
    {
        using var scope = NewDisposeScope();
        var table = Write("a.safetensors", seed: 1);
        using var stored = OpenStored("a.safetensors");

        var ids = tensor(new long[] { 0, 49, 7, 7, 3 });
        Assert.True(Same(stored.Lookup(ids, ScalarType.Float32), table.index_select(0, ids)));
        Assert.True(Same(stored.Lookup(ids, ScalarType.Float64), table.index_select(0, ids).to(ScalarType.Float64)));
        Assert.Equal([0, 24], stored.Lookup(tensor(Array.Empty<long>()), ScalarType.Float32).shape);
        Assert.True(Same(stored.ToDense(ScalarType.Float32), table));
        Assert.True(stored.Holds(table, ScalarType.Float32));
        var changed = table.clone();
        changed[49, 23] = changed[49, 23].add(1);
        Assert.False(stored.Holds(changed, ScalarType.Float32));
        Assert.False(stored.Holds(table.narrow(0, 0, 49), ScalarType.Float32));
        var x = randn(3, 24, generator: new TorchSharp.torch.Generator(7));
        Assert.True(stored.Linear(x, null).allclose(x.matmul(table.t()), rtol: 1e-5, atol: 1e-6));
        Assert.Equal(WeightFormat.Float, stored.Format);
        Assert.Empty(stored.ResidentBytes());
    }

    [Fact]
    public void An_id_outside_the_table_is_refused_by_name()
    {
        using var scope = NewDisposeScope();
        Write("a.safetensors", seed: 1);
        using var stored = OpenStored("a.safetensors");
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => stored.Lookup(tensor(new long[] { 3, 50 }), ScalarType.Float32));
        Assert.Contains("index 50 is not a row", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => stored.Lookup(tensor(new long[] { -1 }), ScalarType.Float32));
    }

    [Fact]
    public void The_rows_are_those_of_the_file_that_was_opened_even_after_it_is_replaced_by_rename()
    {
        using var scope = NewDisposeScope();
        var original = Write("a.safetensors", seed: 1);
        using var stored = OpenStored("a.safetensors");
        var replacement = Write("a.safetensors", seed: 2);   // written beside, renamed over
        Assert.False(Same(original, replacement));
        Assert.True(Same(stored.ToDense(ScalarType.Float32), original));
    }

    [Fact]
    public void A_file_truncated_in_place_fails_the_read_and_names_the_file()
    {
        using var scope = NewDisposeScope();
        Write("a.safetensors", seed: 1);
        using var stored = OpenStored("a.safetensors");
        using (var file = new FileStream(_dir.File("a.safetensors"), FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
            file.SetLength(file.Length - 100);
        Assert.True(stored.Lookup(tensor(new long[] { 0 }), ScalarType.Float32).numel() == 24);
        var e = Assert.Throws<SafetensorsFormatException>(() => stored.Lookup(tensor(new long[] { 49 }), ScalarType.Float32));
        Assert.Contains("a.safetensors", e.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_with_its_embedding_left_in_the_file_computes_the_same_logits_and_holds_the_table_less()
    {
        if (!OperatingSystem.IsLinux()) return;   // elsewhere the table is loaded and there is nothing to compare
        string directory = HfFixtures.BaseDirectory("llama");
        using var loaded = CausalLM.Load(directory, new ModelLoadOptions());
        using var stored = CausalLM.Load(directory, new ModelLoadOptions { EmbeddingsFromFile = true });
        using var scope = NewDisposeScope();

        Assert.IsType<StoredMatrix>(stored.EmbeddingWeight);
        Assert.IsType<DenseMatrix>(loaded.EmbeddingWeight);
        int[] ids = [1, 17, 200, 17, 383, 0];
        Assert.True(Same(BaseModelGoldenTests.DenseForward(stored, ids), BaseModelGoldenTests.DenseForward(loaded, ids)));
        long tableBytes = loaded.EmbeddingWeight.Rows * loaded.EmbeddingWeight.Columns * sizeof(float);
        Assert.Equal(loaded.ResidentBytes["float32"] - tableBytes, stored.ResidentBytes["float32"]);
        Assert.DoesNotContain(stored.Weights, w => w.Name == "model.embed_tokens.weight");
        Assert.Empty(stored.UnusedTensors);
    }

    [Fact]
    public void A_table_that_needs_converting_or_quantizing_is_loaded_as_before()
    {
        string directory = HfFixtures.BaseDirectory("llama");
        using (var bf16 = CausalLM.Load(directory, new ModelLoadOptions { EmbeddingsFromFile = true, Dtype = ScalarType.BFloat16 }))
            Assert.IsType<DenseMatrix>(bf16.EmbeddingWeight);
        using var int8 = CausalLM.Load(directory, new ModelLoadOptions { EmbeddingsFromFile = true, Quantization = WeightQuantization.Int8 });
        Assert.Equal(WeightFormat.Int8, int8.EmbeddingWeight.Format);
    }

    private static bool Same(Tensor a, Tensor b) =>
        a.shape.SequenceEqual(b.shape) && a.dtype == b.dtype && a.eq(b).all().item<bool>();

    private Tensor Write(string name, int seed)
    {
        var table = randn(50, 24, generator: new TorchSharp.torch.Generator((ulong)seed));
        var other = randn(3, generator: new TorchSharp.torch.Generator((ulong)seed + 100));
        SafetensorsWriter.Write(_dir.File(name), [KeyValuePair.Create("bias", other), KeyValuePair.Create("emb", table)]);
        return table;
    }

    private StoredMatrix OpenStored(string name)
    {
        using var file = SafetensorsFile.Open(_dir.File(name));
        var rows = file.OpenRows("emb");
        Assert.NotNull(rows);
        return new StoredMatrix(rows);
    }
}
