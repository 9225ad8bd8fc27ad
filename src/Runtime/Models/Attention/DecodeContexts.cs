using Peft.Kernels;
using Peft.Kernels.Attention;
using Peft.Runtime.Models.Cache;
using Peft.Runtime.Torch;
using static TorchSharp.torch;

namespace Peft.Runtime.Models.Attention;

/// <summary>
/// The decode rows of one step for <see cref="DecodeAttention"/>: every sequence's context slots (the new entry
/// included), laid out once per step and read in place by every layer. Semantics as <see cref="FusedAttention.Decode"/>
/// with scores in float32 (the cache's dtype).
/// </summary>
internal sealed unsafe class DecodeContexts
{
    /// <summary>Below this many context entries times heads a step's attention runs on the calling thread.</summary>
    private const long MinParallelEntries = 4096;

    private readonly long[] _slots;
    private readonly int[] _starts;
    private readonly int[] _lengths;
    private readonly long _entries;

    public DecodeContexts(IReadOnlyList<SequenceKv> sequences)
    {
        _starts = new int[sequences.Count];
        _lengths = new int[sequences.Count];
        int total = 0;
        for (int b = 0; b < sequences.Count; b++)
        {
            _starts[b] = total;
            _lengths[b] = sequences[b].Length + 1;
            total += _lengths[b];
        }
        _slots = new long[total];
        for (int b = 0; b < sequences.Count; b++)
            for (int j = 0; j < _lengths[b]; j++) _slots[_starts[b] + j] = sequences[b].Slot(j);
        _entries = total;
    }

    /// <param name="memory">The layer's keys and values in place (<see cref="KvCache.Memory"/>).</param>
    /// <param name="q">[B, H, D], B the decode rows in this object's order</param>
    /// <returns>[B, H * D] in q's dtype</returns>
    public Tensor Attend((nint Keys, nint Values) memory, Tensor q, long kvHeads)
    {
        long b = q.size(0), heads = q.size(1), dim = q.size(2);
        var query = q.dtype == ScalarType.Float32 && q.is_contiguous() ? q : q.to(ScalarType.Float32).contiguous();
        var output = empty([b, heads * dim], ScalarType.Float32);
        fixed (long* slots = _slots)
        fixed (int* starts = _starts, lengths = _lengths)
        {
            var args = new DecodeArgs
            {
                Q = (float*)TensorMemory.Pointer(query), Keys = (float*)memory.Keys, Values = (float*)memory.Values,
                Slots = slots, Starts = starts, Lengths = lengths,
                Heads = (int)heads, KvHeads = (int)kvHeads, Dim = (int)dim, Scale = 1f / MathF.Sqrt(dim),
                Output = (float*)TensorMemory.Pointer(output),
            };
            int threads = _entries * heads < MinParallelEntries ? 1 : IntraOpThreads.Current;
            TileParallel.For(b * kvHeads, threads, (i0, i1) => DecodeAttention.Items(args, i0, i1));
        }
        GC.KeepAlive(query);   // a converted copy is referenced by nothing else while the kernel reads its memory
        return q.dtype == ScalarType.Float32 ? output : output.to(q.dtype);
    }
}
