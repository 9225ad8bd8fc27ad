using Peft.Runtime.Models.Config;
using Peft.Runtime.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Models.Cache;

/// <summary>
/// The paged key/value store: per layer one tensor of [blocks * block_size, kv_heads, head_dim] for keys and one
/// for values, plus the allocator of its blocks. Owns its tensors. Entries may be held in a narrower dtype than the
/// model computes in (<see cref="Dtype"/>); they are converted on write and on read.
/// Not initialised: nothing reads an entry before it is written (padding of batched decode repeats an entry of its
/// own sequence), so pages of blocks never used are never touched and take no resident memory.
/// </summary>
public sealed unsafe class KvCache : IDisposable
{
    private readonly Tensor[] _keys;
    private readonly Tensor[] _values;
    private readonly (nint Keys, nint Values)[]? _memory;   // float32 CPU caches only: each layer's first entry

    public KvCache(ModelConfig config, int blockCount, int blockSize, ScalarType dtype, Device device)
    {
        ArgumentNullException.ThrowIfNull(config);
        BlockSize = blockSize;
        Dtype = dtype;
        Blocks = new BlockAllocator(blockCount);
        long slots = (long)blockCount * blockSize;
        _keys = new Tensor[config.NumLayers];
        _values = new Tensor[config.NumLayers];
        for (int layer = 0; layer < config.NumLayers; layer++)
        {
            _keys[layer] = empty(slots, config.NumKeyValueHeads, config.HeadDim, dtype, device).DetachFromDisposeScope();
            _values[layer] = empty(slots, config.NumKeyValueHeads, config.HeadDim, dtype, device).DetachFromDisposeScope();
        }
        if (dtype == ScalarType.Float32 && device.type == DeviceType.CPU)
            _memory = [.. Enumerable.Range(0, config.NumLayers).Select(l => ((nint)TensorMemory.Pointer(_keys[l]), (nint)TensorMemory.Pointer(_values[l])))];
    }

    public int BlockSize { get; }

    /// <summary>The dtype entries are stored in.</summary>
    public ScalarType Dtype { get; }

    /// <summary>Bytes the whole cache takes.</summary>
    public long Bytes => 2L * _keys.Length * _keys[0].NumberOfElements * ElementSize(Dtype);

    public BlockAllocator Blocks { get; }

    /// <summary>Bytes one cache entry (one token, all layers, keys and values) takes.</summary>
    public static long BytesPerEntry(ModelConfig config, ScalarType dtype)
    {
        ArgumentNullException.ThrowIfNull(config);
        return 2L * config.NumLayers * config.NumKeyValueHeads * config.HeadDim * ElementSize(dtype);
    }

    /// <summary>The largest cache that fits <paramref name="bytes"/>.</summary>
    public static KvCache WithBudget(ModelConfig config, long bytes, int blockSize, ScalarType dtype, Device device)
    {
        long blocks = bytes / (BytesPerEntry(config, dtype) * blockSize);
        if (blocks < 1) throw new ArgumentOutOfRangeException(nameof(bytes), $"a KV budget of {bytes} bytes holds no block of {blockSize} entries");
        return new KvCache(config, (int)Math.Min(blocks, int.MaxValue), blockSize, dtype, device);
    }

    public SequenceKv NewSequence() => new(BlockSize);

    /// <summary>Stores entries: keys/values [n, kv_heads, head_dim] (any float dtype) at the given slots [n].</summary>
    public void Write(int layer, Tensor slots, Tensor keys, Tensor values)
    {
        _keys[layer].index_copy_(0, slots, In(keys, Dtype));
        _values[layer].index_copy_(0, slots, In(values, Dtype));
    }

    /// <summary>Copies the entries at <paramref name="slots"/> [n] out of the cache, in <paramref name="dtype"/>.</summary>
    /// <returns>keys and values, each [n, kv_heads, head_dim]</returns>
    internal (Tensor Keys, Tensor Values) Read(int layer, Tensor slots, ScalarType dtype) =>
        (In(_keys[layer].index_select(0, slots), dtype), In(_values[layer].index_select(0, slots), dtype));

    /// <summary>A layer's keys and values in place, [slots, kv_heads, head_dim] each, for kernels that read entries
    /// through their slots; null unless the cache holds float32 on the CPU. Valid while the cache lives.</summary>
    internal (nint Keys, nint Values)? Memory(int layer) => _memory?[layer];

    /// <remarks>`to` makes a new tensor handle even when nothing converts; a decode step runs this four times a layer.</remarks>
    private static Tensor In(Tensor t, ScalarType dtype) => t.dtype == dtype ? t : t.to(dtype);

    private static long ElementSize(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 => 2,
        ScalarType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), $"{dtype} is not a KV cache dtype"),
    };

    public void Dispose()
    {
        foreach (var t in _keys) t.Dispose();
        foreach (var t in _values) t.Dispose();
    }
}
