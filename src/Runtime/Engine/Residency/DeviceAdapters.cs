using Peft.Runtime.Adapters;
using Peft.Runtime.Adapters.Lora;
using Peft.Runtime.Adapters.PrefixTuning;
using Peft.Runtime.Adapters.Registry;
using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Adapters.VirtualTokens;
using Peft.Runtime.Engine.Batching;
using Peft.Runtime.Engine.Scheduling;
using Peft.Runtime.Models.Cache;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Engine.Residency;

/// <summary>
/// The device tier (engine thread only): which adapter versions are on the device and how many running sequences
/// use each. LoRA versions occupy slots of the pool; prompt-learning versions hold small device tensors under a
/// byte budget. Unused entries are evicted least recently used first, and retired versions as soon as no
/// sequence uses them. Host weights come from the registry, which loads them off this thread.
/// </summary>
internal sealed class DeviceAdapters : IAdapterResidency, IDisposable
{
    private readonly AdapterRegistry? _registry;
    private readonly LoraSlotPool _pool;
    private readonly KvCache _cache;
    private readonly Device _device;
    private readonly long _promptBudget;
    private readonly EngineMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly Entry?[] _slots;
    private readonly Dictionary<AdapterVersion, Entry> _entries = [];

    public DeviceAdapters(AdapterRegistry? registry, LoraSlotPool pool, KvCache cache, Device device, long promptBudgetBytes, EngineMetrics metrics, TimeProvider time)
    {
        _registry = registry;
        _pool = pool;
        _cache = cache;
        _device = device;
        _promptBudget = promptBudgetBytes;
        _metrics = metrics;
        _time = time;
        _slots = new Entry?[pool.SlotCount];
    }

    public int ResidentLora => _slots.Count(s => s is not null);

    /// <summary>The ids of the versions on the device, LoRA and prompt-learning alike.</summary>
    public IEnumerable<string> ResidentIds => _entries.Keys.Select(v => v.Id);

    public bool IsReady(Sequence sequence, out string? failure)
    {
        failure = null;
        if (sequence.Adapter is not { } version) return true;
        if (_entries.ContainsKey(version)) return true;
        var task = _registry!.EnsureHost(version);
        if (!task.IsCompleted) return false;
        if (task.IsCompletedSuccessfully) return true;
        failure = task.Exception?.InnerException?.Message ?? "the adapter could not be loaded";
        return false;
    }

    public bool IsResident(Sequence sequence) =>
        sequence.Adapter is { } v && _entries.TryGetValue(v, out var e) && e.Slot >= 0;

    public BindResult TryBind(Sequence sequence)
    {
        if (sequence.Adapter is not { } version) return BindResult.Bound;
        if (!_entries.TryGetValue(version, out var entry))
        {
            var host = _registry!.EnsureHost(version).Result;   // IsReady saw it complete
            entry = host switch
            {
                LoraAdapter lora => LoadLora(version, lora),
                VirtualTokenAdapter v => AddPrompt(version, VirtualTokenBinding.ToDevice(v, _device), v.SizeBytes),
                PrefixAdapter p => AddPrompt(version, PrefixBinding.ToDevice(p, _device), p.SizeBytes),
                _ => throw new InvalidOperationException($"no device form for {host.GetType().Name}"),
            };
            if (entry is null) return BindResult.NoSlot;
        }
        else
        {
            _metrics.AdapterHit(version);
        }
        if (entry.Binding is PrefixBinding prefix && !prefix.TryWriteInto(_cache, sequence.Kv!))
            throw new InvalidOperationException("the prefix's KV blocks were reserved before binding");
        entry.References++;
        entry.LastUsed = _time.GetUtcNow();
        sequence.Binding = entry.Binding;
        return BindResult.Bound;
    }

    public void Unbind(Sequence sequence)
    {
        if (sequence.Adapter is { } version && _entries.TryGetValue(version, out var entry)) entry.References--;
    }

    /// <summary>Frees device copies of retired versions nobody uses (between steps).</summary>
    public void Collect()
    {
        foreach (var entry in _entries.Values.Where(e => e.References == 0 && e.Version.IsRetired).ToArray()) Evict(entry);
    }

    private Entry? LoadLora(AdapterVersion version, LoraAdapter lora)
    {
        if (_pool.CannotHold(lora) is { } reason) throw new InvalidOperationException($"adapter '{version.Id}': {reason}");
        int slot = Array.FindIndex(_slots, s => s is null);
        if (slot < 0)
        {
            var victim = _slots.Where(s => s!.References == 0).OrderBy(s => s!.LastUsed).FirstOrDefault();
            if (victim is null) return null;
            slot = victim.Slot;
            Evict(victim);
        }
        long started = _time.GetTimestamp();
        _pool.Load(slot, lora);
        _metrics.AdapterLoaded(version, _time.GetElapsedTime(started));
        var entry = new Entry(version, new LoraBinding(slot), slot, 0);
        _slots[slot] = entry;
        _entries[version] = entry;
        version.OnDevice = true;
        return entry;
    }

    private Entry AddPrompt(AdapterVersion version, AdapterBinding binding, long bytes)
    {
        long used = _entries.Values.Where(e => e.Slot < 0).Sum(e => e.Bytes);
        foreach (var victim in _entries.Values.Where(e => e.Slot < 0 && e.References == 0).OrderBy(e => e.LastUsed).ToArray())
        {
            if (used + bytes <= _promptBudget) break;
            used -= victim.Bytes;
            Evict(victim);
        }
        var entry = new Entry(version, binding, -1, bytes);
        _entries[version] = entry;
        version.OnDevice = true;
        _metrics.AdapterLoaded(version, TimeSpan.Zero);
        return entry;
    }

    private void Evict(Entry entry)
    {
        _entries.Remove(entry.Version);
        if (_registry is null) entry.Version.OnDevice = false;
        else _registry.LeftDevice(entry.Version);
        if (entry.Slot >= 0)
        {
            _pool.Clear(entry.Slot);
            _slots[entry.Slot] = null;
        }
        switch (entry.Binding)
        {
            case VirtualTokenBinding v:
                v.Embeddings.Dispose();
                break;
            case PrefixBinding p:
                foreach (var t in p.Keys.Concat(p.Values)) t.Dispose();
                break;
        }
        _metrics.AdapterEvicted(entry.Version);
    }

    public void Dispose()
    {
        foreach (var entry in _entries.Values.ToArray()) Evict(entry);
    }

    private sealed class Entry(AdapterVersion version, AdapterBinding binding, int slot, long bytes)
    {
        public AdapterVersion Version { get; } = version;
        public AdapterBinding Binding { get; } = binding;
        public int Slot { get; } = slot;
        public long Bytes { get; } = bytes;
        public int References { get; set; }
        public DateTimeOffset LastUsed { get; set; }
    }
}
