using Peft.Kernels;
using Peft.Kernels.Attention;
using Peft.Runtime.Models.Cache;
using Peft.Runtime.Torch;
using static TorchSharp.torch;

namespace Peft.Runtime.Models.Attention;

/// <summary>
/// Every query row of one step for <see cref="RowAttention"/>: each row's context slots, laid out once per step and
/// read in place by every layer. A decode row's context is its sequence's entries, the new one included; row i of a
/// prefill chunk sees the sequence's entries up to and including its own (the chunk's rows share one run of slots, each
/// with its own length), which is causal attention. Semantics as <see cref="FusedAttention.Decode"/> per row, with
/// scores in float32 (the cache's dtype). Each row is computed alone, so a prompt's rows get the same bits in a
/// prefill chunk of any size as decoded one at a time.
/// </summary>
internal sealed unsafe class RowContexts
{
    /// <summary>Below this many context entries times heads a step's attention runs on the calling thread.</summary>
    private const long MinParallelEntries = 4096;

    private readonly long[] _slots;
    private readonly int[] _starts;
    private readonly int[] _lengths;
    private readonly long _entries;

    /// <param name="sequences">The step's sequences, their lengths not counting this step's tokens.</param>
    /// <param name="queryLengths">Each sequence's new tokens (its query rows), in row order.</param>
    public RowContexts(IReadOnlyList<SequenceKv> sequences, IReadOnlyList<int> queryLengths)
    {
        int rows = queryLengths.Sum(), runs = 0;
        for (int s = 0; s < sequences.Count; s++) runs += queryLengths[s] == 0 ? 0 : sequences[s].Length + queryLengths[s];
        _starts = new int[rows];
        _lengths = new int[rows];
        _slots = new long[runs];
        int row = 0, at = 0;
        for (int s = 0; s < sequences.Count; s++)
        {
            var seq = sequences[s];
            int past = seq.Length, length = queryLengths[s];
            if (length == 0) continue;
            for (int j = 0; j < past + length; j++) _slots[at + j] = seq.Slot(j);
            for (int i = 0; i < length; i++, row++)
            {
                _starts[row] = at;
                _lengths[row] = past + i + 1;
                _entries += past + i + 1;
            }
            at += past + length;
        }
    }

    /// <param name="memory">The layer's keys and values in place (<see cref="KvCache.Memory"/>).</param>
    /// <param name="q">[rows, H, D], in this object's row order</param>
    /// <returns>[rows, H * D] in q's dtype</returns>
    public Tensor Attend((nint Keys, nint Values) memory, Tensor q, long kvHeads)
    {
        long b = q.size(0), heads = q.size(1), dim = q.size(2);
        var query = q.dtype == ScalarType.Float32 && q.is_contiguous() ? q : q.to(ScalarType.Float32).contiguous();
        var output = empty([b, heads * dim], ScalarType.Float32);
        fixed (long* slots = _slots)
        fixed (int* starts = _starts, lengths = _lengths)
        {
            var args = new RowAttentionArgs
            {
                Q = (float*)TensorMemory.Pointer(query), Keys = (float*)memory.Keys, Values = (float*)memory.Values,
                Slots = slots, Starts = starts, Lengths = lengths,
                Heads = (int)heads, KvHeads = (int)kvHeads, Dim = (int)dim, Scale = 1f / MathF.Sqrt(dim),
                Output = (float*)TensorMemory.Pointer(output),
            };
            int threads = _entries * heads < MinParallelEntries ? 1 : IntraOpThreads.Current;
            TileParallel.For(b * kvHeads, threads, (i0, i1) => RowAttention.Items(args, i0, i1));
        }
        GC.KeepAlive(query);   // a converted copy is referenced by nothing else while the kernel reads its memory
        return q.dtype == ScalarType.Float32 ? output : output.to(q.dtype);
    }
}
