using Peft.Runtime.Adapters;
using Peft.Runtime.Safetensors;
using Peft.Runtime.Tests.Fixtures;
using Peft.Runtime.Tests.Models;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Adapters;

/// <summary>
/// PEFT saves copies of the embedding and the head next to an adapter that targets either. Copies equal to the base
/// are accepted (the golden tests serve them); a changed copy would need a per-adapter matrix and is refused by name,
/// on a float base and on an INT8 one alike.
/// </summary>
public sealed class BaseCopiesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("peft-copies").FullName;

    [Theory]
    [InlineData("base_model.model.lm_head.base_layer.weight", "differs from the base model's LM head", false)]
    [InlineData("base_model.model.model.embed_tokens.base_layer.weight", "differs from the base model's token embedding", false)]
    [InlineData("base_model.model.lm_head.base_layer.weight", "differs from the base model's LM head", true)]
    [InlineData("base_model.model.model.embed_tokens.base_layer.weight", "differs from the base model's token embedding", true)]
    public void A_copy_that_differs_from_the_base_is_refused_naming_the_tensor(string key, string expected, bool quantized)
    {
        var golden = MethodFixtures.Case("llama__lora_embed_head");
        foreach (string file in Directory.GetFiles(golden.AdapterDirectory!)) File.Copy(file, Path.Combine(_dir, Path.GetFileName(file)));
        string weights = Path.Combine(_dir, AdapterFiles.WeightsFile);
        using (var scope = NewDisposeScope())
        {
            List<KeyValuePair<string, Tensor>> tensors;
            using (var file = SafetensorsFile.Open(weights)) tensors = file.Names.Select(n => KeyValuePair.Create(n, file.Load(n))).ToList();
            var changed = tensors.Single(t => t.Key == key).Value;
            changed[3, 5] = changed[3, 5].add(tensor(0.5f));
            SafetensorsWriter.Write(weights, tensors);
        }
        var model = quantized ? ModelCache.Int8Base(golden.BaseDirectory) : ModelCache.For(golden);
        var e = Assert.Throws<AdapterLoadException>(() => AdapterReader.Read("copies", _dir, BaseModel.Of(model)));
        Assert.Contains($"tensor '{key}' {expected}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void On_an_int8_base_the_checkpoints_own_copies_are_accepted()
    {
        // The copies PEFT saved are the checkpoint's tensors, which quantize to exactly the resident matrices.
        var golden = MethodFixtures.Case("llama__lora_embed_head");
        using var host = AdapterReader.Read("copies", golden.AdapterDirectory!, BaseModel.Of(ModelCache.Int8Base(golden.BaseDirectory)));
        Assert.Equal("copies", host.Name);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
