using Peft.Runtime.Adapters;
using Peft.Runtime.Adapters.PrefixTuning;
using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Models;
using Peft.Runtime.Models.Attention;
using Peft.Runtime.Models.Cache;
using Peft.Runtime.Tests.Models;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Adapters;

/// <summary>
/// An adapter read from disk and put on the device the way the server does (its method's device form and binding),
/// with the two ways tests run it: the dense reference forward (no cache) and sequences for the engine's paged path.
/// </summary>
internal sealed class AdapterUnderTest : IDisposable
{
    private readonly CausalLM _model;
    private readonly DeviceAdapter _device;
    private readonly int _admitted;

    public AdapterUnderTest(CausalLM model, HostAdapter adapter, CachedRunner runner, int loraSlot, int? task = null)
    {
        _model = model;
        Host = adapter;
        Runner = runner;
        _device = adapter.ToDevice(new DeviceContext(model, runner.Pool, UsesSlot ? loraSlot : -1));
        Binding = _device.Bind(task);
        if (Binding is PrefixBinding) _admitted = Binding.VirtualTokenCount;
    }

    public HostAdapter Host { get; }

    public AdapterBinding Binding { get; }

    public CachedRunner Runner { get; }

    /// <summary>The adapter occupies a LoRA slot of the runner's pool.</summary>
    public bool UsesSlot => Host.SlotRank > 0;

    public static AdapterUnderTest Read(CausalLM model, string directory, CachedRunner runner, int loraSlot = 0, int? task = null) =>
        new(model, AdapterReader.Read(Path.GetFileName(directory), directory, BaseModel.Of(model)), runner, loraSlot, task);

    /// <summary>A new sequence with whatever the adapter writes at admission (a prefix) already in its cache.</summary>
    public SequenceKv NewSequence()
    {
        var seq = Runner.NewSequence();
        if (!Binding.TryAdmit(Runner.Cache, seq)) throw new InvalidOperationException("test cache too small");
        return seq;
    }

    /// <summary>The first chunk of a prompt: placeholders for virtual tokens that are stream entries (prompt/P-tuning).</summary>
    public int[] FirstChunk(int[] prompt) => [.. new int[Binding.VirtualTokenCount - _admitted], .. prompt];

    /// <returns>Logits [prompt length, vocab] of the real prompt positions, without a cache.</returns>
    public Tensor DenseForward(int[] prompt)
    {
        int[] ids = FirstChunk(prompt);
        var batch = new ForwardBatch
        {
            TokenIds = tensor(ids.Select(i => (long)i).ToArray(), device: _model.Device),
            Positions = arange(_admitted, _admitted + ids.Length, dtype: ScalarType.Int64, device: _model.Device),
            QueryLengths = [ids.Length],
        };
        var attention = Binding is PrefixBinding p
            ? new DenseAttention(batch.QueryLengths, (_, layer) => (p.Keys[layer], p.Values[layer]))
            : new DenseAttention(batch.QueryLengths);
        var builder = new AdapterBatchBuilder();
        Binding.AddRows(builder, 0, ids.Length, _admitted);
        using var hooks = builder.Build(Runner.Pool, LoraKernel.Gather, _model.Device, null);
        var logits = _model.Forward(batch, attention, hooks).cpu();
        return logits.narrow(0, ids.Length - prompt.Length, prompt.Length);
    }

    public void Dispose()
    {
        _device.Dispose();
        Host.Dispose();
    }
}
