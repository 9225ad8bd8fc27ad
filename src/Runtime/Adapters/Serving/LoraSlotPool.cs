using Peft.Runtime.Adapters.Lora;
using Peft.Runtime.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Adapters.Serving;

/// <summary>
/// Pre-allocated device memory for LoRA adapters: per linear site, A_pool [slots, r_max, in] and
/// B_pool [slots, out, r_max]. An adapter occupies the same slot index in every site; ranks below r_max are
/// zero-padded (the padding contributes exact zeros) and the scaling is folded into B. Sites an adapter does not
/// target stay zero in its slot. A slot's memory is zeroed when it is first loaded, not when the pool is made, so
/// slots never used take no resident memory. Owns its tensors; written only between engine steps.
/// </summary>
public sealed class LoraSlotPool : IDisposable
{
    private readonly Tensor?[] _a;   // per site: [slots, r_max, in]
    private readonly Tensor?[] _b;   // per site: [slots, out, r_max]
    private readonly bool[][] _targets;   // per slot, per site: does the resident adapter target it
    private readonly bool[] _zeroed;      // per slot: written at least once (all sites zero but the targeted ones)

    public LoraSlotPool(IReadOnlyList<LinearSite> sites, int slots, int maxRank, ScalarType dtype, Device device, Func<LinearSite, bool>? include = null)
    {
        ArgumentNullException.ThrowIfNull(sites);
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRank, 1);
        SlotCount = slots;
        MaxRank = maxRank;
        _a = new Tensor?[sites.Count];
        _b = new Tensor?[sites.Count];
        foreach (var site in sites)
        {
            if (include is not null && !include(site)) continue;
            _a[site.Index] = empty(slots, maxRank, site.InFeatures, dtype, device).DetachFromDisposeScope();
            _b[site.Index] = empty(slots, site.OutFeatures, maxRank, dtype, device).DetachFromDisposeScope();
        }
        _targets = Enumerable.Range(0, slots).Select(_ => new bool[sites.Count]).ToArray();
        _zeroed = new bool[slots];
    }

    public int SlotCount { get; }

    public int MaxRank { get; }

    /// <summary>Device bytes the pool spans (slots never loaded are not resident on the CPU).</summary>
    public long Bytes => _a.Concat(_b).Sum(t => t is null ? 0 : t.NumberOfElements * t.ElementSize);

    /// <summary>Device bytes one slot takes across all sites.</summary>
    public static long BytesPerSlot(IEnumerable<LinearSite> sites, int maxRank, ScalarType dtype) =>
        sites.Sum(s => (long)maxRank * (s.InFeatures + s.OutFeatures)) * (dtype == ScalarType.Float32 ? 4 : 2);

    /// <summary>Null when this pool can hold the adapter; otherwise why not.</summary>
    public string? CannotHold(LoraAdapter adapter)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        if (adapter.Rank > MaxRank) return $"its rank {adapter.Rank} exceeds the server's maximum LoRA rank {MaxRank}";
        var missing = adapter.Modules.Values.FirstOrDefault(m => _a[m.Site.Index] is null);
        return missing is null ? null : $"it targets {missing.Site.Path}, which this server does not serve LoRA on";
    }

    public bool Targets(int slot, int site) => _targets[slot][site];

    /// <returns>[slots, r_max, in], or null when the site has no pool.</returns>
    public Tensor? A(int site) => _a[site];

    /// <returns>[slots, out, r_max], or null when the site has no pool.</returns>
    public Tensor? B(int site) => _b[site];

    /// <summary>Copies an adapter into a slot (host → device), replacing whatever was there.</summary>
    public void Load(int slot, LoraAdapter adapter)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        if (CannotHold(adapter) is { } reason) throw new InvalidOperationException($"adapter '{adapter.Name}' cannot be loaded: {reason}");
        Clear(slot);
        using var scope = NewDisposeScope();
        foreach (var module in adapter.Modules.Values)
        {
            int site = module.Site.Index;
            _a[site]![slot].narrow(0, 0, module.Rank).copy_(module.A);
            using var scaling = module.Scaling.ToScalar();
            _b[site]![slot].narrow(1, 0, module.Rank).copy_(module.B.to(ScalarType.Float32).mul(scaling).to(module.B.dtype));
            _targets[slot][site] = true;
        }
    }

    public void Clear(int slot)
    {
        using var scope = NewDisposeScope();
        for (int site = 0; site < _a.Length; site++)
        {
            if (_a[site] is null || (_zeroed[slot] && !_targets[slot][site])) continue;
            _a[site]![slot].zero_();
            _b[site]![slot].zero_();
            _targets[slot][site] = false;
        }
        _zeroed[slot] = true;
    }

    public void Dispose()
    {
        foreach (var t in _a) t?.Dispose();
        foreach (var t in _b) t?.Dispose();
    }
}
