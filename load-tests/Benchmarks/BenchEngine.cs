using Peft.Runtime.Adapters.Registry;
using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Engine;
using Peft.Runtime.Models;

namespace Peft.LoadTests.Benchmarks;

/// <summary>The engine configuration the LoRA benchmarks run: 32 slots of rank 16, every request's prompt
/// admitted in one step.</summary>
internal static class BenchEngine
{
    public static InferenceEngine Start(CausalLM model, AdapterRegistry? registry, LoraKernel kernel, int slots, int maxBatchTokens, EngineMetrics? metrics = null)
    {
        var engine = new InferenceEngine(model, new EngineOptions
        {
            LoraKernel = kernel,
            LoraSlots = slots,
            MaxLoraRank = 16,
            MaxBatchTokens = Math.Max(512, maxBatchTokens),
            MaxRunningSequences = 64,
            MaxWaitingRequests = 4096,
        }, registry, metrics: metrics);
        engine.Start();
        return engine;
    }
}
