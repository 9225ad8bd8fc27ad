namespace Peft.LoadTests.Routing;

/// <summary>
/// One replica as the engine schedules (docs/architecture.md, Scheduling), in simulated milliseconds: each step the
/// running sequences decode one token, then waiting requests are admitted in arrival order while the sequence and
/// token budgets last. A request whose adapter is in a slot is a hit; one whose adapter is parsed in the host tier
/// takes a free slot or the least recently used unreferenced one (a slot load, costed in the step); one whose
/// adapter is neither starts a disk → host load off the engine thread and waits; a request without a slot to take is
/// skipped, not waited on. The first token comes at the end of the step that computed the prompt.
/// </summary>
internal sealed class SimReplica(RoutingSettings settings)
{
    private readonly List<SimRequest> _waiting = [];
    private readonly List<SimRequest> _running = [];
    private readonly List<SimRequest> _admitted = [];
    private readonly Dictionary<int, (int References, double LastUsed)> _slots = [];
    private readonly Dictionary<int, double> _host = [];          // adapter → last used
    private readonly Dictionary<int, double> _hostLoads = [];     // adapter → when its disk load completes

    public double? StepEnd { get; private set; }
    public long Hits { get; private set; }
    public long SlotLoads { get; private set; }
    public long Routed { get; private set; }
    public bool HasWork => _waiting.Count > 0 || _running.Count > 0 || StepEnd is not null;

    /// <summary>When an idle replica has something to do again: its earliest pending disk load, if a request waits.</summary>
    public double? Wake => StepEnd is null && _waiting.Count > 0 && _hostLoads.Count > 0 ? _hostLoads.Values.Min() : null;

    public void Enqueue(SimRequest request)
    {
        _waiting.Add(request);
        Routed++;
    }

    public ReplicaMetrics Metrics()
    {
        double capacity = (double)settings.MaxRunning * (settings.PromptTokens + settings.OutputTokens);
        double used = _running.Sum(r => settings.PromptTokens + settings.OutputTokens - r.Remaining);
        var resident = _slots.Keys.ToHashSet();
        return new ReplicaMetrics(_waiting.Count, _running.Count, used / capacity, resident,
            _waiting.Select(r => r.Adapter).Where(a => !resident.Contains(a)).ToHashSet(), settings.Slots);
    }

    /// <summary>Starts a step at <paramref name="now"/> when there is work it can do; otherwise stays idle.</summary>
    public void TryStartStep(double now)
    {
        if (StepEnd is not null) return;
        foreach (var (adapter, ready) in _hostLoads.Where(l => l.Value <= now).ToArray())
        {
            _hostLoads.Remove(adapter);
            _host[adapter] = now;
        }
        int tokens = settings.MaxBatchTokens - _running.Count;
        int loads = 0;
        foreach (var request in _waiting.ToArray())
        {
            if (_running.Count + _admitted.Count >= settings.MaxRunning || tokens < settings.PromptTokens) break;
            if (!TryBind(request.Adapter, now, ref loads)) continue;
            _waiting.Remove(request);
            _admitted.Add(request);
            tokens -= settings.PromptTokens;
        }
        if (_running.Count == 0 && _admitted.Count == 0) return;
        StepEnd = now + settings.StepMs + _running.Count * settings.DecodeRowMs
            + _admitted.Count * settings.PromptTokens * settings.PrefillTokenMs + loads * settings.SlotLoadMs;
    }

    /// <summary>Ends the running step: first tokens for the admitted, one token for the running, finished ones leave.</summary>
    public void FinishStep(double now, List<SimRequest> completed)
    {
        foreach (var request in _running.ToArray())
        {
            if (--request.Remaining > 0) continue;
            _running.Remove(request);
            var slot = _slots[request.Adapter];
            _slots[request.Adapter] = (slot.References - 1, now);
            _host[request.Adapter] = now;
            completed.Add(request);
        }
        foreach (var request in _admitted)
        {
            request.FirstToken = now;
            request.Remaining = settings.OutputTokens - 1;
            _running.Add(request);
        }
        _admitted.Clear();
        StepEnd = null;
    }

    private bool TryBind(int adapter, double now, ref int loads)
    {
        if (_slots.TryGetValue(adapter, out var slot))
        {
            _slots[adapter] = (slot.References + 1, now);
            Hits++;
            return true;
        }
        if (!_host.ContainsKey(adapter))
        {
            _hostLoads.TryAdd(adapter, now + settings.HostLoadMs);
            return false;
        }
        if (_slots.Count >= settings.Slots)
        {
            var free = _slots.Where(s => s.Value.References == 0).OrderBy(s => s.Value.LastUsed).Select(s => (int?)s.Key).FirstOrDefault();
            if (free is not { } victim) return false;
            _slots.Remove(victim);
        }
        _slots[adapter] = (1, now);
        _host[adapter] = now;
        TrimHost();
        SlotLoads++;
        loads++;
        return true;
    }

    /// <summary>The host tier keeps <see cref="RoutingSettings.HostAdapters"/>, least recently used out first;
    /// adapters in a slot are exempt.</summary>
    private void TrimHost()
    {
        int excess = _host.Count - settings.HostAdapters;
        if (excess <= 0) return;
        foreach (int adapter in _host.Where(h => !_slots.ContainsKey(h.Key)).OrderBy(h => h.Value).Take(excess).Select(h => h.Key).ToArray())
            _host.Remove(adapter);
    }
}

internal sealed class SimRequest(int adapter, double arrival)
{
    public int Adapter { get; } = adapter;
    public double Arrival { get; } = arrival;
    public int Remaining { get; set; }
    public double? FirstToken { get; set; }
}
