using System.Text.Json.Nodes;
using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Training.Methods;

/// <summary>
/// An adapter being trained on the frozen base: its parameters (the only tensors that require grad), the hooks
/// through which they act in a training forward, and its export in PEFT's own format. Owns its parameters.
/// Methods whose math is row hooks set <see cref="Hooks"/> over their parameters: the same code serving runs on
/// device copies then acts on every row of the batch (one adapter per training batch), under autograd.
/// </summary>
public abstract class TrainableAdapter : IForwardHooks, IDisposable
{
    private readonly List<Tensor> _parameters = [];

    protected TrainableAdapter(CausalLM model)
    {
        Model = model;
    }

    protected CausalLM Model { get; }

    public abstract string PeftType { get; }

    /// <summary>Tensors the optimizer updates, in a fixed order (checkpoints store them by index).</summary>
    public IReadOnlyList<Tensor> Parameters => _parameters;

    /// <summary>Virtual rows placed before each sequence's tokens in the batch (prompt and P-tuning).</summary>
    public virtual int VirtualRows => 0;

    /// <summary>First position of a sequence's real tokens (prefix tuning: after the prefix).</summary>
    public virtual int PositionOffset => VirtualRows;

    /// <summary>Dropout and other training-only behaviour.</summary>
    public bool Training { get; set; } = true;

    /// <summary>Called before each forward with the row where each sequence's virtual rows start.</summary>
    public virtual void BeginBatch(IReadOnlyList<int> sequenceStarts)
    {
    }

    /// <summary>Per-layer prefix keys/values [P, kv_heads, head_dim] for every sequence, or null (prefix tuning only).</summary>
    public virtual (Tensor Keys, Tensor Values)? Prefix(int layer) => null;

    /// <summary>The method's row hooks over the parameters (null: the method overrides the hook methods itself).</summary>
    protected IRowHooks? Hooks { get; set; }

    public virtual Tensor TransformEmbeddings(Tensor tokenIds, Tensor embeddings) =>
        Hooks is { ActsOnEmbeddings: true } h ? h.Embeddings(tokenIds, embeddings, 0) : embeddings;

    public virtual Tensor BeforeLinear(LinearSite site, Tensor input) =>
        Hooks is { } h && h.ChangesInput(site) ? h.BeforeLinear(site, input) : input;

    public virtual Tensor AfterLinear(LinearSite site, Tensor input, Tensor output) =>
        Hooks is { } h && h.ActsAt(site) ? h.AfterLinear(site, input, output) : output;

    public virtual Tensor AfterNorm(NormSite site, Tensor output) =>
        Hooks is { } h && h.ActsAt(site) ? h.AfterNorm(site, output) : output;

    /// <summary>Inverted dropout on an adapter's input while training (identity in evaluation and when p is 0).</summary>
    protected Func<Tensor, Tensor>? Dropout(double p) => p > 0 ? x => Training ? nn.functional.dropout(x, p, training: true) : x : null;

    /// <summary>PEFT's adapter_config.json fields and adapter_model.safetensors tensors (CPU, float32, detached).</summary>
    public abstract (JsonObject Config, IReadOnlyList<KeyValuePair<string, Tensor>> Tensors) Export();

    /// <summary>A new trainable parameter, detached from any dispose scope and owned here.</summary>
    protected Tensor Parameter(Tensor initial)
    {
        var p = initial.to(Model.Dtype).detach().requires_grad_(true).DetachFromDisposeScope();
        _parameters.Add(p);
        return p;
    }

    /// <summary>PyTorch's default Linear/Kaiming-uniform(a=√5) init: U(-1/√fan_in, 1/√fan_in).</summary>
    protected static Tensor KaimingUniform(long rows, long fanIn, Device device) => Uniform([rows, fanIn], 1.0 / Math.Sqrt(fanIn), device);

    /// <summary>U(-bound, bound) of the given shape (Scalars held in <c>using</c>: see <see cref="Torch.Scalars"/>).</summary>
    protected static Tensor Uniform(long[] shape, double bound, Device device)
    {
        using var two = 2.0.ToScalar();
        using var scale = bound.ToScalar();
        return rand(shape, device: device).mul_(two).sub_(Torch.Scalars.One).mul_(scale);
    }

    /// <summary>Fields every PEFT config carries.</summary>
    protected JsonObject CommonConfig(string baseModelPath) => new()
    {
        ["peft_type"] = PeftType,
        ["task_type"] = "CAUSAL_LM",
        ["base_model_name_or_path"] = baseModelPath,
        ["inference_mode"] = true,
        ["revision"] = null,
        ["auto_mapping"] = null,
    };

    /// <summary>Where the base model lives, as written into base_model_name_or_path.</summary>
    public string BaseModelPath { get; set; } = "";

    protected static Tensor ForExport(Tensor t) => t.detach().to(ScalarType.Float32).cpu().contiguous();

    protected virtual void Dispose(bool disposing)
    {
        if (!disposing) return;
        (Hooks as IDisposable)?.Dispose();
        foreach (var p in _parameters) p.Dispose();
        _parameters.Clear();
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }
}
