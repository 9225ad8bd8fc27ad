using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Peft.Runtime.Adapters;
using Peft.Runtime.Adapters.Storage;
using Peft.Runtime.Tests.Fixtures;

namespace Peft.Runtime.Tests.Adapters.Registry;

/// <summary>
/// Each way an adapter can be wrong is refused with a message naming the problem, leaves the registry as it was,
/// and leaves the adapters already registered working.
/// </summary>
public sealed class BadAdapterTests : IDisposable
{
    private readonly RegistryFixture _f = new();

    public static TheoryData<string, string, string> Corruptions => new()
    {
        // case, adapter copied, expected message fragment
        { "missing config", "lora_qv", "adapter_config.json is missing" },
        { "bad json", "lora_qv", "adapter_config.json is not valid JSON" },
        { "unknown peft_type", "lora_qv", "peft_type 'BOFT' is not supported" },
        { "unsupported field", "lora_qv", "lora_bias = true is not supported (a bias on lora_B is not implemented)" },
        { "lora bias", "lora_qv", "bias = 'sideways' is not supported" },
        { "bias the base lacks", "lora_qv", "tensor 'base_model.model.model.layers.0.self_attn.q_proj.base_layer.bias' replaces a bias that model.layers.0.self_attn.q_proj of the base model does not have" },
        { "modules_to_save", "lora_qv", "modules_to_save" },
        { "wrong shape", "lora_qv", "'base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight' has shape [128, 4], expected [64, 8]" },
        { "wrong rank", "lora_qv", "has shape [8, 64], expected [4, 64] (r = 4 for model.layers.0.self_attn.q_proj)" },
        { "missing tensor", "lora_qv", "tensor 'base_model.model.model.layers.2.self_attn.v_proj.lora_B.weight' is missing" },
        { "extra tensor", "lora_qv", "unexpected tensor 'base_model.model.model.layers.0.self_attn.q_proj.lora_magnitude_vector'" },
        { "nan", "lora_qv", "contains NaN or Inf" },
        { "pickle only", "lora_qv", "pickle files are never loaded" },
        { "mismatched architecture", "lora_qv", "target modules c_attn not found in the base model (LlamaForCausalLM" },
        { "prefix from another model", "prefix", "num_layers 2 does not match the base model's 3 layers" },
        { "prompt width", "prompt", "token_dim 128 does not match the base model's hidden_size 64" },
        { "truncated weights", "lora_qv", "truncated" },
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public async Task A_bad_adapter_is_refused_by_name_and_changes_nothing(string corruption, string source, string expected)
    {
        var good = await _f.Registry.RegisterAsync("good", "lora_all", replace: false);
        string dir = _f.CopyAdapter(Path.Combine(HfFixtures.Root, "llama", "adapters", source), "bad");
        Corrupt(corruption, dir);

        var e = await Assert.ThrowsAsync<AdapterLoadException>(() => _f.Registry.RegisterAsync("bad", "bad", replace: false));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("adapter 'bad'", e.Message, StringComparison.Ordinal);
        Assert.Equal(["good"], _f.Registry.List().Select(v => v.Id));
        Assert.Same(good, _f.Registry.Get("good"));
        Assert.Equal(["good"], _f.Store.LoadManifest().Entries.Select(m => m.Id));
    }

    [Fact]
    public async Task A_bad_replacement_keeps_the_current_version()
    {
        var v1 = await _f.Registry.RegisterAsync("a", "lora_qv", replace: false);
        string dir = _f.CopyAdapter(Path.Combine(HfFixtures.Root, "llama", "adapters", "lora_qv"), "bad");
        Corrupt("nan", dir);
        await Assert.ThrowsAsync<AdapterLoadException>(() => _f.Registry.RegisterAsync("a", "bad", replace: true));
        Assert.Same(v1, _f.Registry.Get("a"));
        Assert.False(v1.IsRetired);
    }

    [Theory]
    [InlineData("../outside", AdapterPathReason.Invalid)]
    [InlineData("/etc", AdapterPathReason.OutsideRoots)]
    [InlineData("no-such-adapter", AdapterPathReason.NotFound)]
    [InlineData("escape", AdapterPathReason.SymlinkEscape)]
    public async Task Paths_outside_the_roots_are_refused(string path, AdapterPathReason reason)
    {
        string outside = Path.Combine(_f.Top, "outside");
        _f.CopyAdapter(Path.Combine(HfFixtures.Root, "llama", "adapters", "lora_qv"), "../outside");
        Directory.CreateSymbolicLink(Path.Combine(_f.Root, "escape"), outside);
        var e = await Assert.ThrowsAsync<AdapterPathException>(() => _f.Registry.RegisterAsync("x", path, replace: false));
        Assert.Equal(reason, e.Reason);
        Assert.Empty(_f.Registry.List());
    }

    [Fact]
    public async Task An_existing_id_is_not_overwritten_without_replace()
    {
        await _f.Registry.RegisterAsync("a", "lora_qv", replace: false);
        await Assert.ThrowsAsync<Peft.Runtime.Adapters.Registry.AdapterExistsException>(() => _f.Registry.RegisterAsync("a", "lora_all", replace: false));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData(".hidden")]
    public async Task Bad_ids_are_refused(string id)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _f.Registry.RegisterAsync(id, "lora_qv", replace: false));
    }

    private static void Corrupt(string corruption, string dir)
    {
        string config = Path.Combine(dir, AdapterFiles.ConfigFile);
        string weights = Path.Combine(dir, AdapterFiles.WeightsFile);
        switch (corruption)
        {
            case "missing config": File.Delete(config); break;
            case "bad json": File.WriteAllText(config, "{\"peft_type\": "); break;
            case "unknown peft_type": Edit(config, c => c["peft_type"] = "BOFT"); break;
            case "unsupported field": Edit(config, c => c["lora_bias"] = true); break;
            case "lora bias": Edit(config, c => c["bias"] = "sideways"); break;
            case "bias the base lacks":
                Edit(config, c => c["bias"] = "all");
                AddTensor(weights, "base_model.model.model.layers.0.self_attn.q_proj.base_layer.bias");
                break;
            case "modules_to_save": Edit(config, c => c["modules_to_save"] = new JsonArray("lm_head")); break;
            // [128, 4] F32 is the same 2048 bytes as the stored [64, 8]: the file is valid, the tensor is wrong.
            case "wrong shape": EditHeader(weights, h => h["base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight"]!["shape"] = new JsonArray(128, 4), keepData: true); break;
            case "wrong rank": Edit(config, c => c["r"] = 4); break;
            case "missing tensor": EditHeader(weights, h => h.Remove("base_model.model.model.layers.2.self_attn.v_proj.lora_B.weight")); break;
            case "extra tensor": AddTensor(weights, "base_model.model.model.layers.0.self_attn.q_proj.lora_magnitude_vector"); break;
            case "nan": PoisonFirstFloat(weights); break;
            case "pickle only":
                File.Delete(weights);
                File.WriteAllBytes(Path.Combine(dir, "adapter_model.bin"), [0x80, 0x02]);
                break;
            case "mismatched architecture": Edit(config, c => c["target_modules"] = new JsonArray("c_attn")); break;
            case "prefix from another model": Edit(config, c => c["num_layers"] = 2); break;
            case "prompt width": Edit(config, c => c["token_dim"] = 128); break;
            case "truncated weights":
                var bytes = File.ReadAllBytes(weights);
                File.WriteAllBytes(weights, bytes[..^64]);
                break;
            default: throw new ArgumentOutOfRangeException(nameof(corruption));
        }
    }

    private static void Edit(string config, Action<JsonObject> edit)
    {
        var json = JsonNode.Parse(File.ReadAllText(config))!.AsObject();
        edit(json);
        File.WriteAllText(config, json.ToJsonString());
    }

    /// <summary>Rewrites the safetensors header; <paramref name="keepData"/> keeps every byte range as it was.</summary>
    private static void EditHeader(string weights, Action<JsonObject> edit, bool keepData = false)
    {
        var (header, data) = Read(weights);
        edit(header);
        Write(weights, header, keepData ? data : Repack(header, data));
    }

    private static void AddTensor(string weights, string name)
    {
        var (header, data) = Read(weights);
        long end = data.Length;
        header[name] = new JsonObject { ["dtype"] = "F32", ["shape"] = new JsonArray(4), ["data_offsets"] = new JsonArray(end, end + 16) };
        Write(weights, header, [.. data, .. new byte[16]]);
    }

    private static void PoisonFirstFloat(string weights)
    {
        var bytes = File.ReadAllBytes(weights);
        long n = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(8 + (int)n), float.NaN);
        File.WriteAllBytes(weights, bytes);
    }

    private static (JsonObject Header, byte[] Data) Read(string weights)
    {
        var bytes = File.ReadAllBytes(weights);
        long n = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        return (JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, (int)n))!.AsObject(), bytes[(8 + (int)n)..]);
    }

    private static byte[] Repack(JsonObject header, byte[] data)
    {
        var packed = new List<byte>();
        foreach (var (_, node) in header.Where(p => p.Key != "__metadata__").OrderBy(p => p.Value!["data_offsets"]![0]!.GetValue<long>()).ToList())
        {
            long begin = node!["data_offsets"]![0]!.GetValue<long>(), end = node["data_offsets"]![1]!.GetValue<long>();
            node["data_offsets"] = new JsonArray(packed.Count, packed.Count + (end - begin));
            packed.AddRange(data[(int)begin..(int)end]);
        }
        return [.. packed];
    }

    private static void Write(string weights, JsonObject header, byte[] data)
    {
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var prefix = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(prefix, json.Length);
        File.WriteAllBytes(weights, [.. prefix, .. json, .. data]);
    }

    public void Dispose() => _f.Dispose();
}
