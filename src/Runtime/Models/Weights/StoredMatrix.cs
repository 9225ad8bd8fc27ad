using Peft.Runtime.Models.Layers;
using Peft.Runtime.Safetensors;
using Peft.Runtime.Torch;
using static TorchSharp.torch;

namespace Peft.Runtime.Models.Weights;

/// <summary>
/// A float embedding table left in the checkpoint file (<see cref="StoredRows"/>): a lookup reads the rows it needs,
/// so the process holds none of the table; the rows in use stay in the page cache. Only for a CPU model whose dtype
/// is the file's, and only for the embedding role: a head or a linear reads every row every step and is loaded.
/// The other operations read the whole table (once, at an adapter's load) and are correct but not fast.
/// </summary>
internal sealed unsafe class StoredMatrix(StoredRows rows) : IWeightMatrix
{
    private readonly StoredRows _rows = rows;

    public long Rows => _rows.Rows;

    public long Columns => _rows.Columns;

    public WeightFormat Format => WeightFormat.Float;

    public Tensor Lookup(Tensor ids, ScalarType dtype)
    {
        ArgumentNullException.ThrowIfNull(ids);
        using var scope = NewDisposeScope();
        var indices = ids.to(ScalarType.Int64, CPU).contiguous();
        int count = (int)indices.numel();
        var result = empty([count, Columns], _rows.Dtype, CPU);
        if (count > 0)
        {
            var wanted = new ReadOnlySpan<long>(TensorMemory.Pointer(indices), count);
            byte* first = (byte*)TensorMemory.Pointer(result);
            for (int i = 0; i < count; i++)
            {
                long id = wanted[i];
                if (id < 0 || id >= Rows)
                    throw new ArgumentOutOfRangeException(nameof(ids), $"index {id} is not a row of '{_rows.Name}' [{Rows}, {Columns}]");
                _rows.Read(id, new Span<byte>(first + i * _rows.RowBytes, checked((int)_rows.RowBytes)));
            }
        }
        return result.to(dtype).MoveToOuterDisposeScope();
    }

    /// <summary>A copy read from the file (the caller owns it; the interface's "alias" cannot apply to a table that is not
    /// held).</summary>
    public Tensor ToDense(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        return Range(0, Rows).to(dtype).MoveToOuterDisposeScope();
    }

    public Tensor Linear(Tensor x, Tensor? bias)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var weight = ToDense(x.dtype);
        return Linears.Apply(x, weight, bias);
    }

    /// <summary>Compared a block of rows at a time, so no second copy of the table is ever made.</summary>
    public bool Holds(Tensor weight, ScalarType modelDtype)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.dim() != 2 || weight.size(0) != Rows || weight.size(1) != Columns) return false;
        foreach (var (r0, n) in RowIds.Blocks(Rows, Columns))
        {
            using var scope = NewDisposeScope();
            var held = Range(r0, n);
            var given = weight.narrow(0, r0, n);
            if (!given.eq(held.to(given.dtype, given.device)).all().item<bool>()) return false;
        }
        return true;
    }

    /// <summary>Rows [first, first + count) in the stored dtype, read in as few positional reads as a span allows, in the
    /// caller's scope.</summary>
    private Tensor Range(long first, long count)
    {
        var rows = empty([count, Columns], _rows.Dtype, CPU);
        TensorStorage.ForEachChunk(rows, (chunk, byteOffset) => _rows.Read(first + byteOffset / _rows.RowBytes, chunk),
            maxChunkBytes: Math.Max(1, TensorStorage.DefaultMaxChunkBytes / _rows.RowBytes) * _rows.RowBytes);
        return rows;
    }

    /// <summary>Nothing: the table stays in the file.</summary>
    public IEnumerable<(string Dtype, long Bytes)> ResidentBytes() => [];

    public void Dispose() => _rows.Dispose();
}
