using Peft.Runtime.Adapters;
using Peft.Runtime.Adapters.Lora;
using Peft.Runtime.Adapters.PrefixTuning;
using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Adapters.VirtualTokens;
using Peft.Runtime.Engine.Batching;
using Peft.Runtime.Models;
using Peft.Runtime.Models.Attention;
using Peft.Runtime.Models.Cache;
using Peft.Runtime.Tests.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Adapters;

/// <summary>
/// An adapter read from disk and put on the device the way the server does, with the two ways tests run it:
/// the dense reference forward (no cache) and sequences for the engine's paged path.
/// </summary>
internal sealed class AdapterUnderTest : IDisposable
{
    private readonly CausalLM _model;

    public AdapterUnderTest(CausalLM model, HostAdapter adapter, CachedRunner runner, int loraSlot)
    {
        _model = model;
        Host = adapter;
        Binding = adapter switch
        {
            LoraAdapter lora => LoadLora(runner.Pool!, loraSlot, lora),
            VirtualTokenAdapter v => VirtualTokenBinding.ToDevice(v, model.Device),
            PrefixAdapter p => PrefixBinding.ToDevice(p, model.Device),
            _ => throw new ArgumentException($"no binding for {adapter.GetType().Name}"),
        };
        Runner = runner;
    }

    public HostAdapter Host { get; }

    public AdapterBinding Binding { get; }

    public CachedRunner Runner { get; }

    public static AdapterUnderTest Read(CausalLM model, string directory, CachedRunner runner, int loraSlot = 0) =>
        new(model, AdapterReader.Read(Path.GetFileName(directory), directory, BaseModel.Of(model)), runner, loraSlot);

    /// <summary>A new sequence with the adapter's prefix (if any) already in its cache.</summary>
    public SequenceKv NewSequence()
    {
        var seq = Runner.NewSequence();
        if (Binding is PrefixBinding prefix && !prefix.TryWriteInto(Runner.Cache, seq)) throw new InvalidOperationException("test cache too small");
        return seq;
    }

    /// <summary>The first chunk of a prompt: virtual-token placeholders first for prompt/P-tuning.</summary>
    public int[] FirstChunk(int[] prompt) => Binding is VirtualTokenBinding v ? [.. new int[v.VirtualTokenCount], .. prompt] : prompt;

    /// <returns>Logits [prompt length, vocab] of the real prompt positions, without a cache.</returns>
    public Tensor DenseForward(int[] prompt)
    {
        int virtualTokens = Binding.VirtualTokenCount;
        int[] ids = FirstChunk(prompt);
        int firstPosition = Binding is PrefixBinding ? virtualTokens : 0;
        var batch = new ForwardBatch
        {
            TokenIds = tensor(ids.Select(i => (long)i).ToArray(), device: _model.Device),
            Positions = arange(firstPosition, firstPosition + ids.Length, dtype: ScalarType.Int64, device: _model.Device),
            QueryLengths = [ids.Length],
        };
        var attention = Binding is PrefixBinding p
            ? new DenseAttention(batch.QueryLengths, (_, layer) => (p.Keys[layer], p.Values[layer]))
            : new DenseAttention(batch.QueryLengths);
        var segments = Binding is LoraBinding l ? [new LoraSegment(0, ids.Length, l.Slot)] : Array.Empty<LoraSegment>();
        var virtualRows = Binding is VirtualTokenBinding vt ? [new VirtualTokenRows(0, vt.Embeddings)] : Array.Empty<VirtualTokenRows>();
        using var hooks = new AdapterBatch(Runner.Pool, segments, virtualRows, LoraKernel.Gather, _model.Device);
        var logits = _model.Forward(batch, attention, hooks).cpu();
        return Binding is VirtualTokenBinding ? logits.narrow(0, virtualTokens, prompt.Length) : logits;
    }

    private static LoraBinding LoadLora(LoraSlotPool pool, int slot, LoraAdapter adapter)
    {
        pool.Load(slot, adapter);
        return new LoraBinding(slot);
    }

    public void Dispose()
    {
        Host.Dispose();
        switch (Binding)
        {
            case VirtualTokenBinding v:
                v.Embeddings.Dispose();
                break;
            case PrefixBinding p:
                foreach (var t in p.Keys.Concat(p.Values)) t.Dispose();
                break;
        }
    }
}
