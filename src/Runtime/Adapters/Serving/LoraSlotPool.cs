using Peft.Runtime.Adapters.Lora;
using Peft.Runtime.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Adapters.Serving;

/// <summary>One linear site's low-rank factors as a slot holds them: A [r, in] and B [out, r] with every scale folded in.</summary>
public sealed record SlotFactors(LinearSite Site, Tensor A, Tensor B);

/// <summary>
/// Pre-allocated device memory for low-rank adapters (LoRA, and the low-rank part of DoRA and AdaLoRA): per linear
/// site of the decoder blocks, A [slots, r_max, in] and B [slots, out, r_max] (stored rank-major, [slots, r_max, out],
/// so that each rank's outputs are dense for the expand's kernel; <see cref="B"/> is the transposed view). An adapter occupies the same slot
/// index in every site; ranks below r_max are zero-padded (the padding contributes exact zeros, so a product may
/// stop at any rank at or above the adapter's own) and every scale is folded into B. Sites an adapter does not
/// target stay zero in its slot. The G sites that read one input (<see cref="LinearSite.InputKey"/>: q/k/v,
/// gate/up) keep their A's interleaved by rank in one tensor [slots, r_max, G, in], so one product shrinks the
/// input for all of them (<see cref="SharedA"/>); a site's own A is the view [:, :, g, :]. A slot's memory is
/// zeroed when it is first loaded, not when the pool is made, so slots never used take no resident memory. Owns
/// its tensors; written only between engine steps.
/// </summary>
public sealed class LoraSlotPool : IDisposable
{
    private readonly Tensor?[] _shared;     // per site: its input group's [slots, r_max, G, in] (one tensor for the group)
    private readonly Tensor?[] _a;          // per site: view [slots, r_max, in] of its group's tensor
    private readonly Tensor?[] _stored;     // per site: B as it lies, [slots, r_max, out]
    private readonly Tensor?[] _b;          // per site: view [slots, out, r_max] of _stored
    private readonly int[][] _groups;       // per site: the sites of its input group, in their order g
    private readonly int[] _position;       // per site: its g in the group
    private readonly int[][] _ranks;        // per slot, per site: the resident adapter's rank there (0: not targeted)
    private readonly bool[] _zeroed;        // per slot: written at least once (all sites zero but the targeted ones)
    private readonly SiteFactorMemory?[] _memory;   // per site: where its factors lie, made on first use
    private readonly bool _float32Cpu;      // the kernels that read factors in place read these

    public LoraSlotPool(IReadOnlyList<LinearSite> sites, int slots, int maxRank, ScalarType dtype, Device device, Func<LinearSite, bool>? include = null)
    {
        ArgumentNullException.ThrowIfNull(sites);
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRank, 1);
        SlotCount = slots;
        MaxRank = maxRank;
        _float32Cpu = dtype == ScalarType.Float32 && device.type == DeviceType.CPU;
        int count = sites.Count == 0 ? 0 : sites.Max(s => s.Index) + 1;
        (_shared, _a, _stored, _b) = (new Tensor?[count], new Tensor?[count], new Tensor?[count], new Tensor?[count]);
        _groups = new int[count][];
        _position = new int[count];
        foreach (var group in sites.Where(s => include is null || include(s)).GroupBy(s => s.InputKey))
        {
            var members = group.ToArray();
            var shared = empty(slots, maxRank, members.Length, members[0].InFeatures, dtype, device).DetachFromDisposeScope();
            int[] indices = [.. members.Select(s => s.Index)];
            for (int g = 0; g < members.Length; g++)
            {
                var site = members[g];
                _shared[site.Index] = shared;
                _a[site.Index] = shared.select(2, g).DetachFromDisposeScope();
                _stored[site.Index] = empty(slots, maxRank, site.OutFeatures, dtype, device).DetachFromDisposeScope();
                _b[site.Index] = _stored[site.Index]!.transpose(1, 2).DetachFromDisposeScope();
                _groups[site.Index] = indices;
                _position[site.Index] = g;
            }
        }
        _ranks = Enumerable.Range(0, slots).Select(_ => new int[count]).ToArray();
        _zeroed = new bool[slots];
        _memory = new SiteFactorMemory?[count];
        LargestInputGroup = _groups.Select(g => g?.Length ?? 0).DefaultIfEmpty().Max();
    }

    public int SlotCount { get; }

    public int MaxRank { get; }

    /// <summary>The most sites that read one input (3 for q/k/v); 0 when the pool has no site.</summary>
    internal int LargestInputGroup { get; }

    /// <summary>Device bytes the pool spans (slots never loaded are not resident on the CPU).</summary>
    public long Bytes => _shared.Distinct<Tensor?>(ReferenceEqualityComparer.Instance).Concat(_stored).Sum(t => t is null ? 0 : t.NumberOfElements * t.ElementSize);

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

    public bool Targets(int slot, int site) => _ranks[slot][site] > 0;

    /// <summary>The rank of the resident adapter's factors at a site (0: it does not target the site).</summary>
    public int Rank(int slot, int site) => _ranks[slot][site];

    /// <summary>The largest rank of the resident adapter's factors over all sites (0: the slot is empty).</summary>
    internal int LargestRank(int slot) => _ranks[slot].Max();

    /// <returns>[slots, r_max, in], or null when the site has no pool (the head has none).</returns>
    public Tensor? A(int site) => site < _a.Length ? _a[site] : null;

    /// <returns>[slots, out, r_max] (a view: ranks at a stride of out, outputs dense), or null when the site has no pool.</returns>
    public Tensor? B(int site) => site < _b.Length ? _b[site] : null;

    /// <summary>The sites that read the same input as <paramref name="site"/> (itself included), in their order g.</summary>
    public IReadOnlyList<int> SharedInputSites(int site) => _groups[site];

    /// <summary>The site's g among <see cref="SharedInputSites"/>.</summary>
    public int SharedInputPosition(int site) => _position[site];

    /// <summary>
    /// The A of every site in <paramref name="site"/>'s input group, ranks 0..rank-1, as one view [slots, rank·G, in]:
    /// row i·G + g is site g's row i. So x · view[slot]ᵀ is [n, rank·G], and site g's shrunk input is its columns
    /// g, G+g, 2G+g, ... (in the caller's dispose scope).
    /// </summary>
    public Tensor SharedA(int site, int rank)
    {
        var shared = _shared[site] ?? throw new ArgumentException($"site {site} has no pool", nameof(site));
        return shared.narrow(1, 0, rank).view(SlotCount, rank * shared.size(2), shared.size(3));
    }

    /// <summary>Float32 factors on the CPU, which the float32 kernels read in place (<see cref="Float32Memory"/>).</summary>
    internal bool Float32Cpu => _float32Cpu;

    /// <summary>Where a site's factors lie, for the float32 kernels that read the pool in place; null when the site has
    /// no pool or the pool is not float32 on the CPU. Valid while the pool lives: its tensors never move.</summary>
    internal SiteFactorMemory? Float32Memory(int site) =>
        !_float32Cpu || site >= _shared.Length || _shared[site] is not { } shared ? null
        : _memory[site] ??= SiteFactorMemory.Of(shared, _stored[site]!, _position[site]);

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
        int rank = modules.Count == 0 ? 0 : modules.Max(m => (int)m.A.size(0));
        if (CannotHold(rank, modules.Select(m => m.Site)) is { } reason) throw new InvalidOperationException($"adapter '{name}' cannot be loaded: {reason}");
        Clear(slot);
        using var scope = NewDisposeScope();
        foreach (var module in modules)
        {
            int site = module.Site.Index;
            long r = module.A.size(0);
            if (r > 0)
            {
                _a[site]![slot].narrow(0, 0, r).copy_(module.A);
                _b[site]![slot].narrow(1, 0, r).copy_(module.B);
            }
            _ranks[slot][site] = (int)r;
        }
    }

    public void Clear(int slot)
    {
        using var scope = NewDisposeScope();
        for (int site = 0; site < _a.Length; site++)
        {
            if (_a[site] is null || (_zeroed[slot] && _ranks[slot][site] == 0)) continue;
            _a[site]![slot].zero_();
            _stored[site]![slot].zero_();
            _ranks[slot][site] = 0;
        }
        _zeroed[slot] = true;
    }

    public void Dispose()
    {
        foreach (var t in _a) t?.Dispose();
        foreach (var t in _shared.Distinct<Tensor?>(ReferenceEqualityComparer.Instance)) t?.Dispose();
        foreach (var t in _b) t?.Dispose();
        foreach (var t in _stored) t?.Dispose();
    }
}
