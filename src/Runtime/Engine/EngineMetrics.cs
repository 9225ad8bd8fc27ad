using System.Diagnostics;
using System.Diagnostics.Metrics;
using Peft.Runtime.Adapters.Registry;

namespace Peft.Runtime.Engine;

/// <summary>
/// The engine's instruments, on the <c>Peft.Runtime</c> meter (the server exports them through OpenTelemetry).
/// Per-adapter series are tagged with the adapter id ("" for the base model).
/// </summary>
public sealed class EngineMetrics : IDisposable
{
    public const string MeterName = "Peft.Runtime";
    public static readonly ActivitySource ActivitySource = new(MeterName);

    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _promptTokens;
    private readonly Counter<long> _completionTokens;
    private readonly Histogram<double> _timeToFirstToken;
    private readonly Histogram<double> _timePerOutputToken;
    private readonly Histogram<double> _endToEnd;
    private readonly Histogram<long> _batchSize;
    private readonly Counter<long> _adapterLoads;
    private readonly Counter<long> _adapterEvictions;
    private readonly Counter<long> _adapterHits;
    private readonly Histogram<double> _adapterLoadSeconds;
    private readonly Counter<long> _preemptions;
    private readonly Counter<long> _trainingJobs;

    public EngineMetrics(IMeterFactory? factory = null)
    {
        _meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        _requests = _meter.CreateCounter<long>("peft.requests", description: "Requests finished, by adapter and outcome");
        _promptTokens = _meter.CreateCounter<long>("peft.tokens.prompt", description: "Prompt tokens computed, by adapter");
        _completionTokens = _meter.CreateCounter<long>("peft.tokens.completion", description: "Tokens generated, by adapter");
        _timeToFirstToken = _meter.CreateHistogram<double>("peft.time_to_first_token", "s");
        _timePerOutputToken = _meter.CreateHistogram<double>("peft.time_per_output_token", "s");
        _endToEnd = _meter.CreateHistogram<double>("peft.request.duration", "s");
        _batchSize = _meter.CreateHistogram<long>("peft.batch.size", description: "Sequences per engine step");
        _adapterLoads = _meter.CreateCounter<long>("peft.adapter.loads", description: "Adapter copies onto the device");
        _adapterEvictions = _meter.CreateCounter<long>("peft.adapter.evictions", description: "Adapters dropped from the device");
        _adapterHits = _meter.CreateCounter<long>("peft.adapter.hits", description: "Admissions that found their adapter on the device");
        _adapterLoadSeconds = _meter.CreateHistogram<double>("peft.adapter.load_time", "s");
        _preemptions = _meter.CreateCounter<long>("peft.preemptions", description: "Sequences whose cache was dropped for recompute");
        _trainingJobs = _meter.CreateCounter<long>("peft.training.jobs", description: "Training jobs ended, by outcome (succeeded, failed, cancelled)");
    }

    /// <summary>Registers gauges read on collection: waiting and running sequences, KV blocks in use, and the bytes
    /// of each long-lived store (<c>part</c>: weights, kv_cache, lora_slots, adapter_host).</summary>
    internal void Observe(Func<int> waiting, Func<int> running, Func<double> kvUsage, Func<IEnumerable<(string Part, long Bytes)>> memory)
    {
        _meter.CreateObservableGauge("peft.memory", () => memory().Select(m => new Measurement<long>(m.Bytes, new KeyValuePair<string, object?>("part", m.Part))),
            unit: "By", description: "Bytes held by the model weights, the KV cache, the LoRA slot pool and parsed adapters on the host");
        _meter.CreateObservableGauge("peft.queue.depth", waiting, description: "Requests waiting for admission");
        _meter.CreateObservableGauge("peft.running", running, description: "Sequences in the running batch");
        _meter.CreateObservableGauge("peft.kv.usage", kvUsage, description: "Fraction of KV blocks in use");
    }

    /// <summary>Registers the gauge of the base model's resident weight bytes, one series per storage dtype.</summary>
    internal void ObserveWeights(IReadOnlyDictionary<string, long> bytesByDtype)
    {
        var measurements = bytesByDtype.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new Measurement<long>(p.Value, new KeyValuePair<string, object?>("dtype", p.Key))).ToArray();
        _meter.CreateObservableGauge("peft.model.weights", () => measurements, unit: "By",
            description: "Bytes of the base model's resident weights, by storage dtype");
    }

    internal void Step(int sequences) => _batchSize.Record(sequences);

    internal void PromptTokens(Sequence s, int count) => _promptTokens.Add(count, Tag(s));

    internal void Finished(Sequence s, string outcome, DateTimeOffset now)
    {
        _requests.Add(1, Tag(s), new KeyValuePair<string, object?>("outcome", outcome));
        _completionTokens.Add(s.GeneratedCount, Tag(s));
        _endToEnd.Record((now - s.Arrival).TotalSeconds, Tag(s));
        if (s.FirstTokenAt is { } first)
        {
            _timeToFirstToken.Record((first - s.Arrival).TotalSeconds, Tag(s));
            if (s.GeneratedCount > 1 && s.LastTokenAt is { } last)
                _timePerOutputToken.Record((last - first).TotalSeconds / (s.GeneratedCount - 1), Tag(s));
        }
    }

    internal void Preempted() => _preemptions.Add(1);

    /// <summary>A training job ended in <paramref name="outcome"/> (succeeded, failed, cancelled).</summary>
    public void TrainingJobFinished(string outcome) => _trainingJobs.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    internal void AdapterLoaded(AdapterVersion v, TimeSpan took)
    {
        _adapterLoads.Add(1, Tag(v));
        _adapterLoadSeconds.Record(took.TotalSeconds, Tag(v));
    }

    internal void AdapterEvicted(AdapterVersion v) => _adapterEvictions.Add(1, Tag(v));

    internal void AdapterHit(AdapterVersion v) => _adapterHits.Add(1, Tag(v));

    private static KeyValuePair<string, object?> Tag(Sequence s) => new("adapter", s.Adapter?.Id ?? "");

    private static KeyValuePair<string, object?> Tag(AdapterVersion v) => new("adapter", v.Id);

    public void Dispose() => _meter.Dispose();
}
