using System.Diagnostics.Metrics;
using Peft.Runtime.Engine;

namespace Peft.LoadTests.Benchmarks;

/// <summary>Counts the engine's adapter residency events (loads into slots, evictions, hits) and load times from
/// its <c>Peft.Runtime</c> meter while a benchmark runs.</summary>
internal sealed class AdapterMetricsListener : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private readonly List<double> _loadSeconds = [];
    private long _loads;
    private long _evictions;
    private long _hits;
    private long _preemptions;

    public AdapterMetricsListener()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == EngineMetrics.MeterName) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            switch (instrument.Name)
            {
                case "peft.adapter.loads": Interlocked.Add(ref _loads, value); break;
                case "peft.adapter.evictions": Interlocked.Add(ref _evictions, value); break;
                case "peft.adapter.hits": Interlocked.Add(ref _hits, value); break;
                case "peft.preemptions": Interlocked.Add(ref _preemptions, value); break;
            }
        });
        _listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
        {
            if (instrument.Name != "peft.adapter.load_time") return;
            lock (_gate) _loadSeconds.Add(value);
        });
        _listener.Start();
    }

    /// <summary>Counts since the last snapshot; resets them.</summary>
    public AdapterCounters Take()
    {
        double[] times;
        lock (_gate)
        {
            times = [.. _loadSeconds];
            _loadSeconds.Clear();
        }
        return new AdapterCounters(Interlocked.Exchange(ref _loads, 0), Interlocked.Exchange(ref _evictions, 0), Interlocked.Exchange(ref _hits, 0),
            Interlocked.Exchange(ref _preemptions, 0), Timing.Median(times) * 1e3, times.Length == 0 ? double.NaN : times.Max() * 1e3);
    }

    public void Dispose() => _listener.Dispose();
}

/// <summary>The engine's own view of adapter residency over one run: host → slot copies and their times.</summary>
internal sealed record AdapterCounters(long SlotLoads, long Evictions, long Hits, long Preemptions, double SlotLoadP50Ms, double SlotLoadMaxMs);
