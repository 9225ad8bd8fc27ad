using Peft.Runtime.Adapters.Registry;
using Peft.Runtime.Engine;
using Peft.Runtime.Engine.Sampling;
using Peft.Runtime.Tests.Fixtures;
using Peft.Runtime.Tests.Models;

namespace Peft.Runtime.Tests.Engine;

/// <summary>On the CPU an adapter's device form is host memory: the parsed copy of an adapter on the device is not kept as well.</summary>
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

    /// <summary>One case per kind of device form: slot plus row hooks, row hooks alone, rebuilt ΔW, virtual tokens, a prefix in the cache.</summary>
    public static TheoryData<string> MethodCases => new()
    {
        "llama__dora", "llama__dora_embed", "llama__adalora", "llama__ia3", "llama__loha", "llama__lokr", "llama__vera",
        "llama__lora_embed_head", "llama__lora_bias_all", "llama__prefix", "llama__prompt", "llama__mpt_task2",
    };

    [Theory]
    [MemberData(nameof(MethodCases))]
    public async Task Every_method_on_the_cpu_keeps_no_parsed_copy_and_decodes_as_peft(string name)
    {
        var golden = MethodFixtures.Case(name);
        await using var h = new EngineHarness(ModelCache.For(golden), MethodFixtures.Root,
            new EngineOptions { KvCacheBytes = 4 << 20, KvBlockSize = 4, LoraSlots = 2, MaxLoraRank = 16 });
        var version = await h.Registry.RegisterAsync("a", Path.GetRelativePath(MethodFixtures.Root, golden.AdapterDirectory!), replace: false);
        foreach (var prompt in golden.Prompts)
        {
            var sampling = new SamplingParams { MaxNewTokens = prompt.GreedyNewTokens.Length, IgnoreEos = true };
            var done = await EngineHarness.CollectAsync(h.Submit(prompt.InputIds, "a", golden.TaskId, sampling));
            GoldenAssert.SameGreedy(prompt.GreedyNewTokens, prompt.StepMargins, done.Tokens, $"{name} {prompt.Name} through the engine");
            Assert.Equal(AdapterTier.Device, version.Tier);
            Assert.Null(version.HostIfLoaded);   // later prompts ran on the device form alone
        }
        Assert.Equal(0, h.Registry.HostBytes);
    }
}
