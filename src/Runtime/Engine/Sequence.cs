using System.Threading.Channels;
using Peft.Runtime.Adapters.Registry;
using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Engine.Output;
using Peft.Runtime.Engine.Sampling;
using Peft.Runtime.Models.Cache;

namespace Peft.Runtime.Engine;

/// <summary>
/// Lifecycle of a sequence inside the engine:
/// Waiting → Running (admitted: KV blocks reserved, adapter bound) → Finished;
/// Running → Waiting again on preemption (its cache is dropped and recomputed from prompt + output so far).
/// </summary>
public enum SequenceStatus
{
    Waiting,
    Running,
    Finished,
}

/// <summary>
/// One request's state on the engine thread. Its stream is [virtual entries][prompt tokens][generated tokens];
/// <see cref="Computed"/> of them are in the KV cache. Only the engine thread touches it, except
/// <see cref="CancelRequested"/>.
/// </summary>
internal sealed class Sequence
{
    private volatile bool _cancelRequested;

    /// <summary>1 while the sequence counts against the engine's admission queue (from submission until it is first
    /// scheduled or ends); read and cleared with Interlocked so it leaves the count exactly once.</summary>
    internal int Queued = 1;

    public Sequence(long id, GenerationRequest request, TokenSampler sampler, OutputProcessor output, ChannelWriter<GenerationEvent> events, DateTimeOffset arrival, int maxNewTokens)
        : this(id, request, request.Adapter?.Version, sampler, output, events, arrival, maxNewTokens)
    {
    }

    /// <param name="adapter">The adapter version the request leased (the scheduler's tests pass one without a lease).</param>
    public Sequence(long id, GenerationRequest request, AdapterVersion? adapter, TokenSampler sampler, OutputProcessor output, ChannelWriter<GenerationEvent> events, DateTimeOffset arrival, int maxNewTokens)
    {
        Id = id;
        Request = request;
        Adapter = adapter;
        Sampler = sampler;
        Output = output;
        Events = events;
        Timeline = new RequestTimeline(arrival);
        MaxNewTokens = maxNewTokens;
        Tokens = [.. request.PromptTokens];
        PromptLength = request.PromptTokens.Count;
    }

    public long Id { get; }
    public GenerationRequest Request { get; }
    public TokenSampler Sampler { get; }
    public OutputProcessor Output { get; }
    public ChannelWriter<GenerationEvent> Events { get; }
    public DateTimeOffset Arrival => Timeline.Submitted;
    public RequestTimeline Timeline { get; }
    public int MaxNewTokens { get; }

    public AdapterVersion? Adapter { get; }

    /// <summary>Prompt tokens followed by generated tokens.</summary>
    public List<int> Tokens { get; }
    public int PromptLength { get; }
    public int GeneratedCount => Tokens.Count - PromptLength;

    public SequenceStatus Status { get; set; } = SequenceStatus.Waiting;
    public SequenceKv? Kv { get; set; }
    public AdapterBinding? Binding { get; set; }

    /// <summary>Entries before the first prompt token (from the bound adapter).</summary>
    public int VirtualTokens => Binding?.VirtualTokenCount ?? 0;

    /// <summary>Stream entries already in the cache.</summary>
    public int Computed => Kv?.Length ?? 0;

    /// <summary>Stream entries not yet in the cache.</summary>
    public int Pending => VirtualTokens + Tokens.Count - Computed;

    public int StreamLength => VirtualTokens + Tokens.Count;

    /// <summary>When the scheduler first found this sequence blocked on a LoRA slot (null: not blocked).</summary>
    public DateTimeOffset? BlockedSince { get; set; }

    public DateTimeOffset? FirstTokenAt { get; set; }
    public DateTimeOffset? LastTokenAt { get; set; }
    public int Preemptions { get; set; }

    public bool CancelRequested => _cancelRequested;

    public void RequestCancel() => _cancelRequested = true;

    /// <summary>The next <paramref name="count"/> pending entries' token ids (placeholders for virtual entries).</summary>
    public int[] NextChunk(int count)
    {
        var chunk = new int[count];
        int start = Computed, virtualTokens = VirtualTokens;
        for (int i = 0; i < count; i++)
        {
            int index = start + i;
            chunk[i] = index < virtualTokens ? 0 : Tokens[index - virtualTokens];
        }
        return chunk;
    }

    public override string ToString() => $"seq {Id} ({Status}, {Computed}/{StreamLength} computed, adapter {Adapter?.Id ?? "base"})";
}
