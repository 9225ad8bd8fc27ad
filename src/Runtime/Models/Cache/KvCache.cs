using Peft.Runtime.Models.Config;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Models.Cache;

/// <summary>
/// The paged key/value store: per layer one tensor of [blocks * block_size, kv_heads, head_dim] for keys and one
/// for values, plus the allocator of its blocks. Owns its tensors. Zero-initialised so that padding entries read
/// by batched decode are finite (a masked NaN would still poison the weighted sum).
/// </summary>
public sealed class KvCache : IDisposable
{
    private readonly Tensor[] _keys;
    private readonly Tensor[] _values;

    public KvCache(ModelConfig config, int blockCount, int blockSize, ScalarType dtype, Device device)
    {
        ArgumentNullException.ThrowIfNull(config);
        BlockSize = blockSize;
        Blocks = new BlockAllocator(blockCount);
        long slots = (long)blockCount * blockSize;
        _keys = new Tensor[config.NumLayers];
        _values = new Tensor[config.NumLayers];
        for (int layer = 0; layer < config.NumLayers; layer++)
        {
            _keys[layer] = zeros(slots, config.NumKeyValueHeads, config.HeadDim, dtype, device).DetachFromDisposeScope();
            _values[layer] = zeros(slots, config.NumKeyValueHeads, config.HeadDim, dtype, device).DetachFromDisposeScope();
        }
    }

    public int BlockSize { get; }

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

    /// <returns>[slots, kv_heads, head_dim]</returns>
    internal Tensor Keys(int layer) => _keys[layer];

    /// <returns>[slots, kv_heads, head_dim]</returns>
    internal Tensor Values(int layer) => _values[layer];

    /// <summary>Stores entries: keys/values [n, kv_heads, head_dim] at the given slots [n].</summary>
    public void Write(int layer, Tensor slots, Tensor keys, Tensor values)
    {
        _keys[layer].index_copy_(0, slots, keys);
        _values[layer].index_copy_(0, slots, values);
    }

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
