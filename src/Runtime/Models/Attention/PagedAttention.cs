using Peft.Kernels.Attention;
using Peft.Runtime.Models.Cache;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Models.Attention;

/// <summary>
/// Attention over the paged cache for one forward pass. Built once per step (all index tensors and masks are
/// computed here, not per layer): the new tokens' keys/values are written to their slots, then, with a float32 cache on
/// the CPU, every row, decode and prefill alike, is attended in one call that reads its context in place
/// (<see cref="RowAttention"/>, through <see cref="RowContexts"/>). Otherwise decode rows (one query each) are attended
/// in one fused call over their contexts copied out of the block tables (padded to the longest), and each prefill chunk
/// in one fused call of its own (<see cref="FusedAttention"/>).
/// The sequences' <see cref="SequenceKv.Length"/> must not include this pass's tokens yet; commit them after.
/// </summary>
public sealed class PagedAttention : IAttentionBackend
{
    private readonly KvCache _cache;
    private readonly Tensor _writeSlots;              // [tokens]
    private readonly Tensor? _decodeRows;             // [Bd] token rows of decode sequences (null: rows are 0..Bd-1 and there is no prefill)
    private readonly Tensor? _decodeGather;           // [Bd * Cmax] slots
    private readonly Tensor? _decodeAttend;           // [Bd, 1, 1, Cmax] true = context; null when nothing is padding
    private readonly int _decodeCount;
    private readonly long _decodeWidth;
    private readonly List<(long Row, long Length, Tensor Slots, Tensor? Visible)> _prefills = [];
    private readonly RowContexts? _inPlace;           // every row's context slots for the in-place kernel, when it applies

    /// <summary>Must be created inside the step's dispose scope; its index tensors live there.</summary>
    public PagedAttention(KvCache cache, IReadOnlyList<SequenceKv> sequences, IReadOnlyList<int> queryLengths, Device device)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentNullException.ThrowIfNull(queryLengths);
        _cache = cache;

        var write = new List<long>();
        for (int s = 0; s < sequences.Count; s++)
        {
            var seq = sequences[s];
            if (seq.Length + queryLengths[s] > seq.Capacity)
                throw new InvalidOperationException($"sequence {s} holds {seq.Capacity} entries but needs {seq.Length + queryLengths[s]}; reserve blocks first");
            for (int i = 0; i < queryLengths[s]; i++) write.Add(seq.Slot(seq.Length + i));
        }
        _writeSlots = tensor(write.ToArray(), device: device);
        if (cache.Memory(0) is not null && RowAttention.IsSupported)
        {
            _inPlace = new RowContexts(sequences, queryLengths);
            return;
        }

        var decodeRows = new List<long>();
        var decodeSequences = new List<SequenceKv>();
        long row = 0;
        for (int s = 0; s < sequences.Count; s++)
        {
            var seq = sequences[s];
            int length = queryLengths[s];
            if (length == 1)
            {
                decodeRows.Add(row);
                decodeSequences.Add(seq);
            }
            else if (length > 1)
            {
                var slots = new long[seq.Length + length];
                for (int j = 0; j < slots.Length; j++) slots[j] = seq.Slot(j);
                _prefills.Add((row, length, tensor(slots, device: device), FusedAttention.CausalMask(length, slots.Length, device)));
            }
            row += length;
        }

        _decodeCount = decodeSequences.Count;
        if (_decodeCount == 0) return;
        bool rowsAreLeading = _prefills.Count == 0;
        _decodeRows = rowsAreLeading ? null : tensor(decodeRows.ToArray(), device: device);
        _decodeWidth = decodeSequences.Max(s => s.Length + 1);
        var gather = new long[_decodeCount * _decodeWidth];
        var attend = new bool[_decodeCount * _decodeWidth];
        for (int b = 0; b < _decodeCount; b++)
        {
            var seq = decodeSequences[b];
            int context = seq.Length + 1;
            long padSlot = seq.Slot(0);
            for (int j = 0; j < _decodeWidth; j++)
            {
                bool pad = j >= context;
                gather[b * _decodeWidth + j] = pad ? padSlot : seq.Slot(j);
                attend[b * _decodeWidth + j] = !pad;
            }
        }
        _decodeGather = tensor(gather, device: device);
        if (decodeSequences.Any(s => s.Length + 1 < _decodeWidth))
            _decodeAttend = tensor(attend, device: device).view(_decodeCount, 1, 1, _decodeWidth);
    }

    public Tensor Attend(int layer, Tensor q, Tensor k, Tensor v)
    {
        _cache.Write(layer, _writeSlots, k, v);
        long heads = q.size(1), dim = q.size(2), kvHeads = k.size(1);
        if (_inPlace is not null) return _inPlace.Attend(_cache.Memory(layer)!.Value, q, kvHeads);

        Tensor? decoded = null;
        if (_decodeCount > 0)
        {
            var dq = _decodeRows is null ? q : q.index_select(0, _decodeRows);
            var (dk, dv) = _cache.Read(layer, _decodeGather!, q.dtype);
            decoded = FusedAttention.Decode(dq,
                dk.view(_decodeCount, _decodeWidth, kvHeads, dim), dv.view(_decodeCount, _decodeWidth, kvHeads, dim), _decodeAttend);
            if (_decodeRows is null) return decoded;
        }

        if (decoded is null && _prefills.Count == 1) return Prefill(layer, q, _prefills[0]);
        var output = empty(q.size(0), heads * dim, q.dtype, q.device);
        if (decoded is not null) output.index_copy_(0, _decodeRows!, decoded);
        foreach (var chunk in _prefills) output.narrow(0, chunk.Row, chunk.Length).copy_(Prefill(layer, q, chunk));
        return output;
    }

    private Tensor Prefill(int layer, Tensor q, (long Row, long Length, Tensor Slots, Tensor? Visible) chunk)
    {
        var (keys, values) = _cache.Read(layer, chunk.Slots, q.dtype);
        return FusedAttention.Causal(q.narrow(0, chunk.Row, chunk.Length), keys, values, chunk.Visible);
    }
}
