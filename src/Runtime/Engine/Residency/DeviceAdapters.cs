using Peft.Runtime.Adapters;
using Peft.Runtime.Adapters.Registry;
using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Engine.Scheduling;
using Peft.Runtime.Models;
using Peft.Runtime.Models.Cache;

namespace Peft.Runtime.Engine.Residency;

/// <summary>
/// The device tier (engine thread only): which adapter versions are on the device, as their methods' device forms,
/// and how many running sequences use each. Adapters with a low-rank part take a slot of the LoRA pool; tensors
/// outside the pool count against a byte budget. Unused entries are evicted least recently used first, and retired
/// versions as soon as no sequence uses them. Host weights come from the registry, which loads them off this thread.
/// Knows no method: what an adapter needs on the device and how it binds is its own business.
/// </summary>
internal sealed class DeviceAdapters : IAdapterResidency, IDisposable
{
    private readonly AdapterRegistry? _registry;
    private readonly CausalLM _model;
    private readonly LoraSlotPool _pool;
    private readonly KvCache _cache;
    private readonly long _bytesBudget;
    private readonly EngineMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly Entry?[] _slots;
    private readonly Dictionary<AdapterVersion, Entry> _entries = [];

    public DeviceAdapters(AdapterRegistry? registry, CausalLM model, LoraSlotPool pool, KvCache cache, long adapterTensorBytes, EngineMetrics metrics, TimeProvider time)
    {
        _registry = registry;
        _model = model;
        _pool = pool;
        _cache = cache;
        _bytesBudget = adapterTensorBytes;
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
            entry = Load(version, host);
            if (entry is null) return BindResult.NoSlot;
        }
        else
        {
            _metrics.AdapterHit(version);
        }
        var binding = entry.Device.Bind(sequence.Request.TaskId);
        if (!binding.TryAdmit(_cache, sequence.Kv!))
            throw new InvalidOperationException("the adapter's KV blocks were reserved before binding");
        entry.References++;
        entry.LastUsed = _time.GetUtcNow();
        sequence.Binding = binding;
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

    /// <returns>Null when the adapter needs a slot and every slot is in use.</returns>
    private Entry? Load(AdapterVersion version, HostAdapter host)
    {
        int slot = -1;
        if (host.SlotRank > 0)
        {
            if (_pool.CannotHold(host.SlotRank, []) is { } reason) throw new InvalidOperationException($"adapter '{version.Id}': {reason}");
            slot = Array.FindIndex(_slots, s => s is null);
            if (slot < 0)
            {
                var victim = _slots.Where(s => s!.References == 0).OrderBy(s => s!.LastUsed).FirstOrDefault();
                if (victim is null) return null;
                slot = victim.Slot;
                Evict(victim);
            }
        }
        MakeRoom(host.DeviceBytes);
        long started = _time.GetTimestamp();
        var device = host.ToDevice(new DeviceContext(_model, _pool, slot));
        var entry = new Entry(version, device, slot, host.DeviceBytes);
        if (slot >= 0) _slots[slot] = entry;
        // On the CPU the device form is host memory of its own (a slot, copies of the method's tensors): keeping the
        // parsed copy too would hold every resident adapter twice. Last use of host here: it is freed on another thread.
        if (_model.Device.type == TorchSharp.DeviceType.CPU) AdapterRegistry.DropHostCopy(version);
        _entries[version] = entry;
        version.OnDevice = true;
        _metrics.AdapterLoaded(version, _time.GetElapsedTime(started));
        return entry;
    }

    /// <summary>Evicts unused entries holding tensors outside the pool, least recently used first, until the new ones fit.</summary>
    private void MakeRoom(long bytes)
    {
        if (bytes == 0) return;
        long used = _entries.Values.Sum(e => e.Bytes);
        foreach (var victim in _entries.Values.Where(e => e.Bytes > 0 && e.References == 0).OrderBy(e => e.LastUsed).ToArray())
        {
            if (used + bytes <= _bytesBudget) break;
            used -= victim.Bytes;
            Evict(victim);
        }
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
        entry.Device.Dispose();
        _metrics.AdapterEvicted(entry.Version);
    }

    public void Dispose()
    {
        foreach (var entry in _entries.Values.ToArray()) Evict(entry);
    }

    private sealed class Entry(AdapterVersion version, DeviceAdapter device, int slot, long bytes)
    {
        public AdapterVersion Version { get; } = version;
        public DeviceAdapter Device { get; } = device;
        public int Slot { get; } = slot;
        public long Bytes { get; } = bytes;
        public int References { get; set; }
        public DateTimeOffset LastUsed { get; set; }
    }
}
