using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Engine;
using Peft.Runtime.Engine.Sampling;

namespace Peft.Runtime.Tests.Engine;

/// <summary>
/// A request's greedy output must not depend on what else is batched with it: 32 requests over every adapter type
/// and the base model, run alone and then all at once (and under chunked prefill and preemption).
/// </summary>
public sealed class BatchInvarianceTests
{
    public static TheoryData<string, EngineOptions> Settings => new()
    {
        { "gather kernel", new EngineOptions { KvCacheBytes = 4 << 20, KvBlockSize = 4, LoraSlots = 8, MaxLoraRank = 8 } },
        { "segment kernel", new EngineOptions { KvCacheBytes = 4 << 20, KvBlockSize = 4, LoraSlots = 8, MaxLoraRank = 8, LoraKernel = LoraKernel.Segment } },
        { "chunked prefill, 3 LoRA slots", new EngineOptions { KvCacheBytes = 4 << 20, KvBlockSize = 4, LoraSlots = 3, MaxLoraRank = 8, MaxBatchTokens = 24 } },
        // 96 entries of cache for 32 sequences of up to 40: sequences must be preempted and recomputed.
        { "preemption", new EngineOptions { KvCacheBytes = 96 * 2 * 3 * 2 * 16 * 4, KvBlockSize = 4, LoraSlots = 8, MaxLoraRank = 8 } },
    };

    /// <summary>The same on an INT8 base (weights, embeddings and head quantized; adapters in float on top).</summary>
    public static TheoryData<string, EngineOptions> Int8Settings => new()
    {
        { "int8 base, segment kernel", new EngineOptions { KvCacheBytes = 4 << 20, KvBlockSize = 4, LoraSlots = 8, MaxLoraRank = 8, LoraKernel = LoraKernel.Segment } },
        { "int8 base, chunked prefill, 3 LoRA slots", new EngineOptions { KvCacheBytes = 4 << 20, KvBlockSize = 4, LoraSlots = 3, MaxLoraRank = 8, MaxBatchTokens = 24 } },
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public Task Greedy_output_alone_equals_output_among_31_others_of_every_adapter_type(string setting, EngineOptions options) =>
        AloneEqualsTogether(setting, options, int8: false);

    [Theory]
    [MemberData(nameof(Int8Settings))]
    public Task On_an_int8_base_greedy_output_alone_equals_output_among_31_others_of_every_adapter_type(string setting, EngineOptions options) =>
        AloneEqualsTogether(setting, options, int8: true);

    private static async Task AloneEqualsTogether(string setting, EngineOptions options, bool int8)
    {
        await using var harness = new EngineHarness("llama", options, int8: int8);
        var adapters = await harness.RegisterFamilyAdaptersAsync("llama");
        var requests = Requests(adapters);

        var alone = new List<IReadOnlyList<int>>();
        foreach (var (prompt, adapter, maxNew) in requests)
            alone.Add((await EngineHarness.CollectAsync(harness.Submit(prompt, adapter, new SamplingParams { MaxNewTokens = maxNew }))).Tokens);

        var together = await Task.WhenAll(requests.Select(r =>
            EngineHarness.CollectAsync(harness.Submit(r.Prompt, r.Adapter, new SamplingParams { MaxNewTokens = r.MaxNew }))));

        for (int i = 0; i < requests.Count; i++)
            Assert.True(alone[i].SequenceEqual(together[i].Tokens),
                $"{setting}: request {i} ({requests[i].Adapter ?? "base"}) alone [{string.Join(",", alone[i])}] vs batched [{string.Join(",", together[i].Tokens)}]");
        Assert.Equal(0, harness.Engine.Stats.KvBlocksUsed);
        if (setting == "preemption") Assert.True(harness.Engine.Stats.Preemptions > 0, "the small cache forced no preemption");
    }

    private static List<(int[] Prompt, string? Adapter, int MaxNew)> Requests(IReadOnlyList<string> adapters)
    {
        var random = new Random(11);
        var list = new List<(int[], string?, int)>();
        for (int i = 0; i < 32; i++)
        {
            int length = 1 + random.Next(20);
            int[] prompt = [1, .. Enumerable.Range(0, length).Select(_ => 3 + random.Next(381))];
            string? adapter = i % (adapters.Count + 1) == adapters.Count ? null : adapters[i % (adapters.Count + 1)];
            list.Add((prompt, adapter, 4 + random.Next(16)));
        }
        return list;
    }
}
