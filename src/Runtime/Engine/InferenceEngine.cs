using System.Collections.Concurrent;
using System.Threading.Channels;
using Peft.Runtime.Adapters.Registry;
using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Engine.Output;
using Peft.Runtime.Engine.Residency;
using Peft.Runtime.Engine.Sampling;
using Peft.Runtime.Engine.Scheduling;
using Peft.Runtime.Engine.Testing;
using Peft.Runtime.Models;
using Peft.Runtime.Models.Cache;
using Peft.Runtime.Validation;

namespace Peft.Runtime.Engine;

/// <summary>
/// The serving engine: one dedicated thread owns the model, the KV cache and the adapter slots, and runs
/// iteration-level steps (admit, prefill chunks and decode rows of every adapter in one pass, sample, stream,
/// retire). Callers talk to it through <see cref="Submit"/> from any thread.
/// </summary>
public sealed partial class InferenceEngine : IAsyncDisposable
{
    private readonly CausalLM _model;
    private readonly EngineOptions _options;
    private readonly BackgroundPacer _pacer;
    private readonly HeapTrims _heapTrims;
    private readonly AdapterRegistry? _registry;
    private readonly ITextDecoder _decoder;
    private readonly TimeProvider _time;
    private readonly EngineMetrics _metrics;
    private readonly KvCache _cache;
    private readonly LoraSlotPool _pool;
    private readonly DeviceAdapters _adapters;
    private readonly Scheduler _scheduler;
    private readonly HashSet<int> _eos;
    private readonly int _maxContext;
    private readonly int _threads;
    private readonly ConcurrentQueue<Sequence> _submitted = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Thread _thread;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _nextId;
    private long _preemptions;
    private long _liveTensors;
    private int _waitingApprox;
    private volatile AdapterActivity _activity;
    private int _queued;
    private volatile IEngineBackgroundWork? _background;
    private volatile bool _stopping;
    private volatile bool _draining;
    private volatile bool _ended;
    private volatile string? _fault;

    public InferenceEngine(CausalLM model, EngineOptions options, AdapterRegistry? registry = null, ITextDecoder? decoder = null,
        TimeProvider? time = null, EngineMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { } problem) throw new ArgumentException(problem, nameof(options));
        _model = model;
        _options = options;
        _pacer = new BackgroundPacer(options.BackgroundShare);
        _registry = registry;
        _decoder = decoder ?? NoTextDecoder.Instance;
        _time = time ?? TimeProvider.System;
        _heapTrims = new HeapTrims(_time, options.HeapTrimInterval, options.HeapTrimIdleDelay, options.HeapTrimGrowthBytes);
        _ = Torch.NativeHeap.KeepFreedMemory();   // after the model's weights were allocated: only the steps' tensors are meant
        _metrics = metrics ?? new EngineMetrics();
        _maxContext = options.MaxContextTokens > 0 ? Math.Min(options.MaxContextTokens, model.Config.MaxPositionEmbeddings) : model.Config.MaxPositionEmbeddings;
        _eos = [.. model.Config.EosTokenIds];
        // libtorch's thread count (and MKL's) is per calling thread: the engine thread takes the creator's.
        _threads = TorchSharp.torch.get_num_threads();
        _cache = KvCache.WithBudget(model.Config, options.KvCacheBytes, options.KvBlockSize, options.KvCacheScalarType(model.Dtype), model.Device);
        _pool = new LoraSlotPool(model.LinearSites, LoraSlotCount(model, options), options.MaxLoraRank, model.Dtype, model.Device);
        _adapters = new DeviceAdapters(registry, model, _pool, _cache, options.PromptAdapterBytes, _metrics, _time);
        _scheduler = new Scheduler(options, _cache.Blocks, _adapters, _time);
        _metrics.ObserveWeights(model.ResidentBytes);
        _metrics.Observe(() => Volatile.Read(ref _waitingApprox), () => _scheduler.RunningCount,
            () => (double)_cache.Blocks.UsedCount / _cache.Blocks.BlockCount, MemoryParts);
        _activity = AdapterActivity.None(_pool.SlotCount);
        _thread = new Thread(Run) { IsBackground = true, Name = "peft-engine" };
    }

    /// <summary>Adapters on the device and adapters waiting requests need, as of the engine's last iteration.</summary>
    public AdapterActivity Activity => _activity;

    public CausalLM Model => _model;

    /// <summary>Bytes of the engine's long-lived stores, as the <c>peft.memory</c> gauge reports them.</summary>
    public IEnumerable<(string Part, long Bytes)> MemoryParts()
    {
        yield return ("weights", _model.ResidentBytes.Values.Sum());
        yield return ("kv_cache", _cache.Bytes);
        yield return ("lora_slots", _pool.Bytes);
        if (_registry is not null) yield return ("adapter_host", _registry.HostBytes);
    }

    /// <summary>LoRA adapters the device holds at once.</summary>
    public int LoraSlots => _pool.SlotCount;

    private static int LoraSlotCount(CausalLM model, EngineOptions options)
    {
        if (options.LoraPoolBytes == 0) return options.LoraSlots;
        long perSlot = LoraSlotPool.BytesPerSlot(model.LinearSites, options.MaxLoraRank, model.Dtype);
        return (int)Math.Clamp(options.LoraPoolBytes / perSlot, 1, int.MaxValue);
    }

    public EngineOptions Options => _options;

    /// <summary>Total KV cache entries.</summary>
    public long KvCapacity => (long)_cache.Blocks.BlockCount * _cache.BlockSize;

    /// <summary>A snapshot for health and tests; approximate while the engine runs.</summary>
    public EngineStats Stats => new(Volatile.Read(ref _waitingApprox), _scheduler.RunningCount, _cache.Blocks.UsedCount, _cache.Blocks.BlockCount, _adapters.ResidentLora, Interlocked.Read(ref _preemptions), Interlocked.Read(ref _liveTensors));

    public void Start() => _thread.Start();

    /// <summary>
    /// Null while the engine runs. Otherwise why its thread stopped after a fault in the engine's own code
    /// (scheduling, residency, bookkeeping), where its state can no longer be trusted: every request it held failed
    /// with UNAVAILABLE, new ones are refused the same way, and the server reports NOT_SERVING until restarted.
    /// </summary>
    public string? Fault => _fault;

    /// <summary>Raised once, on the engine thread, when the engine stops after a fault (<see cref="Fault"/>).</summary>
    public event Action<Exception>? Faulted;

    /// <summary>Raised on the engine thread when background work threw out of its own failure boundary; the engine
    /// stops running it (see <see cref="IEngineBackgroundWork.Fault"/>) and keeps serving.</summary>
    public event Action<Exception>? BackgroundFaulted;

    /// <summary>Gives the engine work to interleave with serving (at most one source).</summary>
    public void AttachBackgroundWork(IEngineBackgroundWork work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (Interlocked.CompareExchange(ref _background, work, null) is not null)
            throw new InvalidOperationException("the engine already has background work attached");
        _wake.Release();
    }

    /// <summary>Tells an idle engine thread that background work became ready.</summary>
    public void NotifyBackgroundWork() => _wake.Release();

    /// <summary>
    /// Queues a request. Throws <see cref="RequestRejectedException"/> for a request that can never run or when the
    /// queue is full; the engine owns the request's adapter lease from here on, also when it rejects.
    /// </summary>
    public GenerationStream Submit(GenerationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            Validate(request);
        }
        catch
        {
            request.Adapter?.Dispose();
            throw;
        }
        if (!TryEnterQueue())
        {
            request.Adapter?.Dispose();
            throw new RequestRejectedException(RejectReason.ResourceExhausted, $"{_options.MaxWaitingRequests} requests are already waiting; retry later");
        }
        var channel = Channel.CreateUnbounded<GenerationEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        int maxNew = request.Sampling.MaxNewTokens > 0 ? request.Sampling.MaxNewTokens : _options.DefaultMaxNewTokens;
        var sequence = new Sequence(Interlocked.Increment(ref _nextId), request,
            new TokenSampler(request.Sampling, request.PromptTokens),
            new OutputProcessor(request.Sampling, _eos, _decoder.Create(), maxNew, _maxContext),
            channel.Writer, _time.GetUtcNow(), maxNew);
        Interlocked.Increment(ref _waitingApprox);
        Publish(() => new SequenceSubmitted(sequence.Id, sequence.Adapter?.Id));
        _submitted.Enqueue(sequence);
        var registration = cancellationToken.Register(() =>
        {
            sequence.RequestCancel();
            Publish(() => new SequenceCancelRequested(sequence.Id, sequence.Adapter?.Id));
            _wake.Release();
        });
        _wake.Release();
        // The engine thread may have ended (stopped or faulted) after the checks above: nothing would take it then.
        if (_ended) DrainSubmitted();
        return new GenerationStream(channel.Reader, registration, request.Adapter?.Version.ContentHash ?? "", sequence.Timeline, sequence.Id);
    }

    /// <summary>Takes a place in the admission queue, or false when <see cref="EngineOptions.MaxWaitingRequests"/>
    /// are already waiting. Check and increment are one step, so concurrent submissions never overshoot.</summary>
    private bool TryEnterQueue()
    {
        while (true)
        {
            int queued = Volatile.Read(ref _queued);
            if (queued >= _options.MaxWaitingRequests) return false;
            if (Interlocked.CompareExchange(ref _queued, queued + 1, queued) == queued) return true;
        }
    }

    /// <summary>The sequence stops counting against the admission queue (first scheduled, or ended).</summary>
    private void LeaveQueue(Sequence sequence)
    {
        if (Interlocked.Exchange(ref sequence.Queued, 0) == 1) Interlocked.Decrement(ref _queued);
    }

    private void Validate(GenerationRequest request)
    {
        if (_fault is { } fault) throw new RequestRejectedException(RejectReason.Unavailable, EngineFaultMessage(fault));
        if (_stopping) throw new RequestRejectedException(RejectReason.Unavailable, "the server is shutting down");
        if (request.PromptTokens.Count == 0) throw new RequestRejectedException(RejectReason.InvalidArgument, "the prompt is empty");
        int vocab = _model.Config.VocabSize;
        if (TokenIdRange.FirstOutside(request.PromptTokens, vocab) is { } bad)
            throw new RequestRejectedException(RejectReason.InvalidArgument, $"prompt token id {request.PromptTokens[bad]} is outside the vocabulary [0, {vocab})");
        if (request.Sampling.Validate(vocab) is { } problem) throw new RequestRejectedException(RejectReason.InvalidArgument, problem);

        var facts = request.Adapter?.Version.Facts;
        int stream = (facts?.VirtualTokens ?? 0) + request.PromptTokens.Count;
        if (stream >= _maxContext)
            throw new RequestRejectedException(RejectReason.InvalidArgument,
                $"the prompt takes {stream} positions{(facts?.VirtualTokens > 0 ? $" ({facts.VirtualTokens} virtual tokens of the adapter included)" : "")}; the model's context is {_maxContext}, leaving no room to generate");
        if (stream + 1 > KvCapacity)
            throw new RequestRejectedException(RejectReason.InvalidArgument, $"the prompt needs {stream + 1} KV cache entries; the cache holds {KvCapacity}");
        if (facts is not null && facts.SlotRank > _options.MaxLoraRank)
            throw new RequestRejectedException(RejectReason.FailedPrecondition,
                $"adapter '{request.Adapter!.Version.Id}' has rank {facts.SlotRank}; this server holds LoRA ranks up to {_options.MaxLoraRank}");
        if (TaskProblem(request, facts) is { } taskProblem) throw new RequestRejectedException(RejectReason.InvalidArgument, taskProblem);
    }

    private static string? TaskProblem(GenerationRequest request, AdapterFacts? facts)
    {
        int tasks = facts?.Tasks ?? 0;
        string id = request.Adapter?.Version.Id ?? "";
        return (request.TaskId, tasks) switch
        {
            (null, > 0) => $"adapter '{id}' is multitask prompt tuning with {tasks} tasks: task_id is required",
            ({ } t, 0) => request.Adapter is null
                ? $"task_id {t} was given without an adapter"
                : $"task_id {t} was given, but adapter '{id}' ({facts!.PeftType}) has no tasks",
            ({ } t, _) when t < 0 || t >= tasks => $"task_id {t} is outside adapter '{id}''s {tasks} tasks [0, {tasks})",
            _ => null,
        };
    }

    private static string EngineFaultMessage(string fault) => $"the engine stopped after an internal fault ({fault}); the server must be restarted";

    /// <summary>Stops taking requests, lets running and waiting ones finish within <paramref name="drain"/>, then
    /// cancels the rest and stops the thread.</summary>
    public async Task StopAsync(TimeSpan drain)
    {
        _stopping = true;
        _draining = true;
        _wake.Release();
        using var timeout = new CancellationTokenSource(drain);
        try
        {
            await _stopped.Task.WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _draining = false;
            _wake.Release();
            await _stopped.Task;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_thread.IsAlive) await StopAsync(TimeSpan.Zero);
        _adapters.Dispose();
        _pool.Dispose();
        _cache.Dispose();
        _wake.Dispose();
    }
}

/// <param name="LiveTensors">Tensors created on the engine thread and not yet disposed (resident adapter copies and
/// nothing else between steps): flat over time, or something leaks.</param>
public readonly record struct EngineStats(int Waiting, int Running, int KvBlocksUsed, int KvBlocksTotal, int LoraResident, long Preemptions, long LiveTensors);
