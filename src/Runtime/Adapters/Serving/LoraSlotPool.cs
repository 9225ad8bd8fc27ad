using Peft.Runtime.Adapters.Lora;
using Peft.Runtime.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Adapters.Serving;

/// <summary>One linear site's low-rank factors as a slot holds them: A [r, in] and B [out, r] with every scale folded in.</summary>
public sealed record SlotFactors(LinearSite Site, Tensor A, Tensor B);

/// <summary>
/// Pre-allocated device memory for low-rank adapters (LoRA, and the low-rank part of DoRA and AdaLoRA): per linear
/// site of the decoder blocks, A_pool [slots, r_max, in] and B_pool [slots, out, r_max]. An adapter occupies the
/// same slot index in every site; ranks below r_max are zero-padded (the padding contributes exact zeros) and every
/// scale is folded into B. Sites an adapter does not target stay zero in its slot. Owns its tensors; written only
/// between engine steps.
/// </summary>
public sealed class LoraSlotPool : IDisposable
{
    private readonly Tensor?[] _a;   // per site: [slots, r_max, in]
    private readonly Tensor?[] _b;   // per site: [slots, out, r_max]
    private readonly bool[][] _targets;   // per slot, per site: does the resident adapter target it

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
            _a[site.Index] = zeros(slots, maxRank, site.InFeatures, dtype, device).DetachFromDisposeScope();
            _b[site.Index] = zeros(slots, site.OutFeatures, maxRank, dtype, device).DetachFromDisposeScope();
        }
        _targets = Enumerable.Range(0, slots).Select(_ => new bool[sites.Count]).ToArray();
    }

    public int SlotCount { get; }

    public int MaxRank { get; }

    /// <summary>Device bytes one slot takes across all sites.</summary>
    public static long BytesPerSlot(IEnumerable<LinearSite> sites, int maxRank, ScalarType dtype) =>
        sites.Sum(s => (long)maxRank * (s.InFeatures + s.OutFeatures)) * (dtype == ScalarType.Float32 ? 4 : 2);

    /// <summary>Null when this pool can hold factors of <paramref name="rank"/> on <paramref name="sites"/>; otherwise why not.</summary>
    public string? CannotHold(int rank, IEnumerable<LinearSite> sites)
    {
        ArgumentNullException.ThrowIfNull(sites);
        if (rank > MaxRank) return $"its rank {rank} exceeds the server's maximum LoRA rank {MaxRank}";
        var missing = sites.FirstOrDefault(s => A(s.Index) is null);
        return missing is null ? null : $"it targets {missing.Path}, which this server does not serve LoRA on";
    }

    public bool Targets(int slot, int site) => _targets[slot][site];

    /// <returns>[slots, r_max, in], or null when the site has no pool (the head has none).</returns>
    public Tensor? A(int site) => site < _a.Length ? _a[site] : null;

    /// <returns>[slots, out, r_max], or null when the site has no pool.</returns>
    public Tensor? B(int site) => site < _b.Length ? _b[site] : null;

    /// <summary>Copies a LoRA adapter's factors into a slot (host → device), replacing whatever was there (tests and
    /// benchmarks; the engine goes through the adapter's own device form).</summary>
    public void Load(int slot, LoraAdapter adapter)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        using var scope = NewDisposeScope();
        Load(slot, adapter.SlotFactors(), adapter.Name);
    }

    /// <summary>Copies factors into a slot, replacing whatever was there.</summary>
    public void Load(int slot, IReadOnlyList<SlotFactors> modules, string name)
    {
        ArgumentNullException.ThrowIfNull(modules);
        int rank = modules.Count == 0 ? 0 : modules.Max(m => (int)m.A.shape[0]);
        if (CannotHold(rank, modules.Select(m => m.Site)) is { } reason) throw new InvalidOperationException($"adapter '{name}' cannot be loaded: {reason}");
        Clear(slot);
        using var scope = NewDisposeScope();
        foreach (var module in modules)
        {
            int site = module.Site.Index;
            long r = module.A.shape[0];
            if (r > 0)
            {
                _a[site]![slot].narrow(0, 0, r).copy_(module.A);
                _b[site]![slot].narrow(1, 0, r).copy_(module.B);
            }
            _targets[slot][site] = r > 0;
        }
    }

    public void Clear(int slot)
    {
        using var scope = NewDisposeScope();
        for (int site = 0; site < _a.Length; site++)
        {
            if (!_targets[slot][site]) continue;
            _a[site]![slot].zero_();
            _b[site]![slot].zero_();
            _targets[slot][site] = false;
        }
    }

    public void Dispose()
    {
        foreach (var t in _a) t?.Dispose();
        foreach (var t in _b) t?.Dispose();
    }
}
