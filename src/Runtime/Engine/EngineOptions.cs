using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Models;
using static TorchSharp.torch;

namespace Peft.Runtime.Engine;

/// <summary>Budgets of the engine loop. Defaults suit the bundled demo model on a small CPU host.</summary>
public sealed record EngineOptions
{
    /// <summary>
    /// Tokens computed per step across all sequences (decode rows count 1; prefill chunks fill the rest). 256: a
    /// step's activations are what peak memory holds above the weights, cache and slots, and 512 held about 60 MiB
    /// more at the peak of a 32-request wave for no throughput (the float32 kernel takes rows 256 at a time anyway).
    /// </summary>
    public int MaxBatchTokens { get; init; } = 256;

    /// <summary>Sequences in one step.</summary>
    public int MaxRunningSequences { get; init; } = 64;

    /// <summary>Requests waiting for admission before new ones are refused with RESOURCE_EXHAUSTED.</summary>
    public int MaxWaitingRequests { get; init; } = 1024;

    /// <summary>
    /// Largest text prompt in UTF-8 bytes, checked before tokenizing so one request's work is bounded before it
    /// starts. 1 MiB: about 250k tokens of English, past every context this server holds.
    /// </summary>
    public long MaxPromptBytes { get; init; } = 1L << 20;

    /// <summary>max_new_tokens when a request leaves it 0.</summary>
    public int DefaultMaxNewTokens { get; init; } = 256;

    /// <summary>Longest sequence (virtual tokens + prompt + output); 0: the model's maximum positions.</summary>
    public int MaxContextTokens { get; init; }

    /// <summary>
    /// The KV cache's dtype: <c>float32</c>, <c>bfloat16</c> or <c>float16</c>; empty (default): the model's. A
    /// half-precision cache holds twice the entries in <see cref="KvCacheBytes"/> and halves what attention reads,
    /// at the price of rounding keys and values (outputs then differ from a float32 reference by that rounding).
    /// </summary>
    public string? KvCacheDtype { get; init; }

    /// <summary>The cache dtype for a model computing in <paramref name="modelDtype"/>.</summary>
    public ScalarType KvCacheScalarType(ScalarType modelDtype) =>
        string.IsNullOrWhiteSpace(KvCacheDtype) ? modelDtype : ModelLoadOptions.ParseDtype(KvCacheDtype);

    /// <summary>KV cache entries per block.</summary>
    public int KvBlockSize { get; init; } = 16;

    /// <summary>Device memory for the KV cache.</summary>
    public long KvCacheBytes { get; init; } = 256L << 20;

    /// <summary>LoRA adapters resident on the device at once (slots of the pool), when <see cref="LoraPoolBytes"/> is 0.</summary>
    public int LoraSlots { get; init; } = 32;

    /// <summary>Device memory for the LoRA slot pool; when set, the slot count is what fits (at least 1) and
    /// <see cref="LoraSlots"/> is ignored. A slot holds rank <see cref="MaxLoraRank"/> on every linear layer.</summary>
    public long LoraPoolBytes { get; init; }

    /// <summary>Largest LoRA rank the slot pool holds; adapters above it are refused at admission.</summary>
    public int MaxLoraRank { get; init; } = 16;

    /// <summary>Segment (SGMV) measured faster than Gather (BGMV) at every batch shape tried (docs/benchmarks.md).</summary>
    public LoraKernel LoraKernel { get; init; } = LoraKernel.Segment;

    /// <summary>The slot lane's shortcuts (not a setting: tests and benchmarks compare against <see cref="LoraFastPaths.None"/>).</summary>
    internal LoraFastPaths LoraFastPaths { get; init; } = LoraFastPaths.All;

    /// <summary>Device memory for prompt-tuning and prefix adapters' tensors.</summary>
    public long PromptAdapterBytes { get; init; } = 64L << 20;

    /// <summary>
    /// How long a request may wait for a LoRA slot held by other adapters before the scheduler stops admitting
    /// new work for those adapters so their slots drain (an exchange round, as LoRAX does).
    /// </summary>
    public TimeSpan AdapterExchangeInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Fraction of the engine's time that background work (training) may take while requests are running; an idle
    /// engine gives it all. A third keeps time per output token near 1.5× its idle value under training.
    /// </summary>
    public double BackgroundShare { get; init; } = 1.0 / 3;

    /// <summary>
    /// While busy, the engine returns freed native heap memory to the kernel at most this often (and once it has been
    /// idle for <see cref="HeapTrimIdleDelay"/>); zero (the default): only when idle. A busy trim hands back pages the
    /// next steps fault in again: with the heap keeping what it frees (<see cref="Peft.Runtime.Torch.NativeHeap.KeepFreedMemory"/>),
    /// trims once a second cost 20,000 to 60,000 page faults a 32-request wave, up to 15% of its time on a virtual
    /// machine, and no longer lowered peak RSS (docs/benchmarks.md, "Steps that fault their activations in again").
    /// </summary>
    public TimeSpan HeapTrimInterval { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// How long the engine waits without work before it returns freed native heap memory to the kernel. A trim hands
    /// back the pages the last steps' activations used, and the next step faults them in again: trimming each time the
    /// engine ran out of work made a 128-token prompt sent right after another 25 to 30% slower (docs/benchmarks.md,
    /// "Heap trims wait for a quiet spell"). Zero: as soon as it runs out of work.
    /// </summary>
    public TimeSpan HeapTrimIdleDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Trims (busy or idle) happen only once the process's resident size grew by this many bytes since the last trim;
    /// zero: whatever it grew. A step's activations are freed and taken back by the next step: a client sending one
    /// 128-token prompt after another (steps a few tens of megabytes apart) is then never trimmed, while a wave of
    /// prefills that leaves a hundred megabytes free in the heap still is (docs/benchmarks.md, "Trims only after the
    /// heap grew").
    /// </summary>
    public long HeapTrimGrowthBytes { get; init; } = 64L << 20;

    /// <summary>Null when valid; otherwise what is wrong.</summary>
    public string? Validate()
    {
        if (MaxBatchTokens < 1) return "MaxBatchTokens must be positive";
        if (MaxRunningSequences < 1) return "MaxRunningSequences must be positive";
        if (MaxWaitingRequests < 1) return "MaxWaitingRequests must be positive";
        if (MaxPromptBytes < 1) return "MaxPromptBytes must be positive";
        if (DefaultMaxNewTokens < 1) return "DefaultMaxNewTokens must be positive";
        if (KvBlockSize < 1) return "KvBlockSize must be positive";
        if (!string.IsNullOrWhiteSpace(KvCacheDtype))
        {
            try
            {
                _ = ModelLoadOptions.ParseDtype(KvCacheDtype);
            }
            catch (FormatException e)
            {
                return $"KvCacheDtype: {e.Message}";
            }
        }
        if (LoraSlots < 1) return "LoraSlots must be positive";
        if (LoraPoolBytes < 0) return "LoraPoolBytes must not be negative";
        if (MaxLoraRank < 1) return "MaxLoraRank must be positive";
        if (HeapTrimInterval < TimeSpan.Zero) return "HeapTrimInterval must not be negative";
        if (HeapTrimGrowthBytes < 0) return "HeapTrimGrowthBytes must not be negative";
        if (HeapTrimIdleDelay < TimeSpan.Zero || HeapTrimIdleDelay > TimeSpan.FromDays(1))
            return "HeapTrimIdleDelay must be between 0 and 1 day";
        if (!(BackgroundShare > 0 && BackgroundShare < 1)) return "BackgroundShare must be between 0 and 1 (exclusive)";
        return null;
    }
}
