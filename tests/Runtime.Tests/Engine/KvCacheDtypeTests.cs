using Peft.Runtime.Engine;
using Peft.Runtime.Engine.Sampling;

namespace Peft.Runtime.Tests.Engine;

/// <summary>Engine:KvCacheDtype: a narrower cache under a float32 model.</summary>
public sealed class KvCacheDtypeTests
{
    private static EngineOptions Small => new() { KvCacheBytes = 4 << 20, KvBlockSize = 4, LoraSlots = 8, MaxLoraRank = 8 };

    [Fact]
    public async Task A_float16_cache_holds_twice_the_entries_and_serves_every_adapter_type_like_float32()
    {
        await using var wide = new EngineHarness("llama", Small);
        await using var narrow = new EngineHarness("llama", Small with { KvCacheDtype = "float16" });
        Assert.Equal(2 * wide.Engine.KvCapacity, narrow.Engine.KvCapacity);

        var adapters = await wide.RegisterFamilyAdaptersAsync("llama");
        await narrow.RegisterFamilyAdaptersAsync("llama");
        int[] prompt = [1, 272, 109, 383, 218, 90, 31];
        var sampling = new SamplingParams { MaxNewTokens = 6 };
        string?[] ids = [null, .. adapters];
        var expected = await Task.WhenAll(ids.Select(a => EngineHarness.CollectAsync(wide.Submit(prompt, a, sampling))));
        var actual = await Task.WhenAll(ids.Select(a => EngineHarness.CollectAsync(narrow.Submit(prompt, a, sampling))));
        // Rounding keys and values to float16 moves logits by about 1e-3 on this model; its greedy tokens keep.
        for (int i = 0; i < ids.Length; i++)
            Assert.True(expected[i].Tokens.SequenceEqual(actual[i].Tokens), $"{ids[i] ?? "base"}: [{string.Join(",", expected[i].Tokens)}] vs [{string.Join(",", actual[i].Tokens)}]");
    }

    [Theory]
    [InlineData("int8")]
    [InlineData("fp8")]
    public void An_unknown_cache_dtype_is_named_in_the_options_error(string dtype) =>
        Assert.Contains("KvCacheDtype", new EngineOptions { KvCacheDtype = dtype }.Validate());
}
