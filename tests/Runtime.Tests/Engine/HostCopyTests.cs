using Peft.Runtime.Adapters.Registry;
using Peft.Runtime.Engine;
using Peft.Runtime.Engine.Sampling;

namespace Peft.Runtime.Tests.Engine;

/// <summary>On the CPU a LoRA slot is host memory: the parsed copy of an adapter in a slot is not kept as well.</summary>
public sealed class HostCopyTests
{
    [Fact]
    public async Task A_lora_adapter_in_a_cpu_slot_keeps_no_parsed_copy_and_reloads_from_disk_after_eviction()
    {
        await using var h = new EngineHarness("llama", new EngineOptions { KvCacheBytes = 4 << 20, KvBlockSize = 4, LoraSlots = 1, MaxLoraRank = 8 });
        var first = await h.Registry.RegisterAsync("first", "llama/adapters/lora_all", replace: false);
        var second = await h.Registry.RegisterAsync("second", "llama/adapters/lora_qv", replace: false);
        Assert.NotNull(first.HostIfLoaded);   // parsed at registration, within the host budget

        var sampling = new SamplingParams { MaxNewTokens = 5 };
        var before = await EngineHarness.CollectAsync(h.Submit([1, 272, 109], "first", sampling));
        Assert.Equal(AdapterTier.Device, first.Tier);
        Assert.Null(first.HostIfLoaded);

        // One slot: the second adapter evicts the first, whose next request reads it from disk again.
        await EngineHarness.CollectAsync(h.Submit([1, 272, 109], "second", sampling));
        Assert.Equal(AdapterTier.Disk, first.Tier);
        var after = await EngineHarness.CollectAsync(h.Submit([1, 272, 109], "first", sampling));
        Assert.Equal(before.Tokens, after.Tokens);
        Assert.Null(first.HostIfLoaded);
        Assert.Null(second.HostIfLoaded);
        Assert.Equal(0, h.Registry.HostBytes);
    }
}
