using Peft.Runtime.Models.Attention;
using Peft.Runtime.Models.Config;
using Peft.Runtime.Models.Weights;
using Peft.Runtime.Safetensors;
using Peft.Runtime.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Models;

/// <summary>
/// A decoder-only language model held for inference and adapter training: frozen weights (owned here), a forward
/// over a flattened batch of sequences, and the three adapter hook points (embeddings and linear deltas through
/// <see cref="IForwardHooks"/>, prefix key/values through the <see cref="IAttentionBackend"/>).
/// Holds no per-request state, so one instance serves any number of concurrent sequences.
/// </summary>
public abstract class CausalLM : IDisposable
{
    private readonly List<IDisposable> _owned = [];
    private readonly List<LinearSite> _sites = [];
    private readonly List<IWeightMatrix?> _siteWeights = [];   // [out, in] per site
    private readonly List<Tensor?> _siteBiases = [];           // [out] per site, null when the layer has none
    private readonly List<NormSite> _norms = [];
    private readonly List<Tensor> _normBiases = [];            // [features] per norm site
    private IWeightMatrix? _headWeight;                         // [vocab, hidden]; the embedding when tied and held alike

    protected CausalLM(ModelConfig config, Device device, ScalarType dtype)
    {
        Config = config;
        Device = device;
        Dtype = dtype;
    }

    public ModelConfig Config { get; }

    public Device Device { get; }

    public ScalarType Dtype { get; }

    /// <summary>Every linear layer of the decoder blocks an adapter may target, in a fixed order (<see cref="LinearSite.Index"/>).</summary>
    public IReadOnlyList<LinearSite> LinearSites => _sites;

    /// <summary>The output projection to the vocabulary (<c>lm_head</c>, tied or not); its index follows the block sites.</summary>
    public LinearSite HeadSite { get; private set; } = null!;

    /// <summary>Norms that carry a bias (GPT-2's LayerNorms), in forward order; none for RMSNorm models.</summary>
    public IReadOnlyList<NormSite> NormSites => _norms;

    /// <summary>The token embedding's module name as PEFT sees it (<c>model.embed_tokens</c>, <c>transformer.wte</c>).</summary>
    public abstract string EmbeddingPath { get; }

    /// <summary>[vocab, hidden] in its resident form, float or INT8, frozen (read by adapters validated against it;
    /// nobody writes it).</summary>
    public abstract IWeightMatrix EmbeddingWeight { get; }

    /// <summary>
    /// Every weight held in float, under its checkpoint name (a quantized model lists only its norms, biases and the
    /// matrices it keeps in float; an embedding left in the file, <see cref="ModelLoadOptions.EmbeddingsFromFile"/>, is
    /// not a tensor and not listed). Frozen for serving and adapter training; only full pretraining (tools/DemoModel)
    /// sets requires_grad on them.
    /// </summary>
    public IReadOnlyList<ModelWeight> Weights { get; private set; } = [];

    /// <summary>Bytes of resident base weights by storage dtype ("float32", "int8", ...): every matrix, norm and bias.</summary>
    public IReadOnlyDictionary<string, long> ResidentBytes { get; private set; } = new Dictionary<string, long>();

    /// <summary>Tensors the checkpoint held that the model does not use.</summary>
    public IReadOnlyList<string> UnusedTensors { get; private set; } = [];

    public static CausalLM Load(string modelDirectory, ModelLoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = ModelConfigReader.Read(modelDirectory);
        var device = options.Device.ToTorch();
        using var checkpoint = OpenCheckpoint(modelDirectory);
        var loader = new WeightLoader(checkpoint, options.Dtype, device, new WeightMatrices(options.Quantization, options.Threads),
            options.EmbeddingsFromFile);
        CausalLM model = config.Family == ModelFamily.Gpt2
            ? new Gpt2Model(config, device, options.Dtype)
            : new LlamaModel(config, device, options.Dtype);
        try
        {
            model.LoadWeights(loader);
            model.UnusedTensors = loader.Unused();
            RefuseUnexpected(model.UnusedTensors, config);
            model.Weights = loader.Weights;
            model.ResidentBytes = model.CountResidentBytes();
            model.AdviseHugePages();
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return model;
    }

    /// <summary>
    /// A checkpoint tensor the model does not use means the checkpoint is not what the config says (an untied head
    /// under a tied config, another architecture's layers), and serving it would be silently wrong: refused by name.
    /// Known-ignorable entries pass: buffers older exports saved (GPT-2's attention masks, rotary inverse
    /// frequencies) and a head saved beside a tied embedding, which transformers ignores too.
    /// </summary>
    private static void RefuseUnexpected(IReadOnlyList<string> unused, ModelConfig config)
    {
        var unexpected = unused.Where(name => !IsIgnorable(name, config)).ToList();
        if (unexpected.Count == 0) return;
        throw new ModelLoadException($"weights: {unexpected.Count} tensor(s) the {config.Architecture} model does not use: "
            + $"{string.Join(", ", unexpected.Take(8))}{(unexpected.Count > 8 ? ", ..." : "")}; the checkpoint does not match config.json");
    }

    private static bool IsIgnorable(string name, ModelConfig config) =>
        name.EndsWith(".attn.bias", StringComparison.Ordinal) && config.Family == ModelFamily.Gpt2
        || name.EndsWith(".attn.masked_bias", StringComparison.Ordinal)
        || name.EndsWith(".rotary_emb.inv_freq", StringComparison.Ordinal)
        || name == "lm_head.weight" && config.TieWordEmbeddings;

    private static SafetensorsCheckpoint OpenCheckpoint(string modelDirectory)
    {
        try
        {
            return SafetensorsCheckpoint.Open(modelDirectory);
        }
        catch (Exception e) when (e is SafetensorsFormatException or FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ModelLoadException(e.Message, e);
        }
    }

    /// <summary>
    /// Runs the batch and returns float32 logits [rows, vocab] for <see cref="ForwardBatch.LogitRows"/> (all rows when
    /// null). Intermediate tensors are freed layer by layer; the result belongs to the caller's dispose scope.
    /// </summary>
    public Tensor Forward(ForwardBatch batch, IAttentionBackend attention, IForwardHooks? hooks = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(attention);
        using var scope = NewDisposeScope();
        hooks ??= NoHooks.Instance;
        var hidden = Hidden(batch, attention, hooks);
        if (batch.LogitRows is not null) hidden = hidden.index_select(0, batch.LogitRows);
        return Head(hidden, hooks).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>Token embeddings [n, hidden] in the model dtype (prompt-tuning text initialisation).</summary>
    public abstract Tensor EmbedTokens(Tensor tokenIds);

    private protected abstract void LoadWeights(WeightLoader loader);

    /// <returns>[tokens, hidden] after the last block, before the final norm.</returns>
    protected abstract Tensor Hidden(ForwardBatch batch, IAttentionBackend attention, IForwardHooks hooks);

    /// <returns>Final norm and output projection (through <see cref="HeadLinear"/>): [rows, vocab] in the model dtype.</returns>
    protected abstract Tensor Head(Tensor hidden, IForwardHooks hooks);

    /// <param name="sharesInputWith">An earlier site of the layer that <see cref="Hidden"/> always calls with the same input tensor.</param>
    protected LinearSite AddSite(int layer, string name, string path, int inFeatures, int outFeatures, bool hasBias, LinearSite? sharesInputWith = null)
    {
        if (sharesInputWith is not null && (sharesInputWith.Layer != layer || sharesInputWith.InFeatures != inFeatures))
            throw new ArgumentException($"{path} cannot share the input of {sharesInputWith.Path}", nameof(sharesInputWith));
        var site = new LinearSite(_sites.Count, layer, name, path, inFeatures, outFeatures, hasBias) { SharesInputWith = sharesInputWith?.InputKey ?? -1 };
        _sites.Add(site);
        _siteWeights.Add(null);
        _siteBiases.Add(null);
        return site;
    }

    /// <summary>Declares the output head; call after every block site.</summary>
    protected void AddHeadSite() =>
        HeadSite = new LinearSite(_sites.Count, Config.NumLayers, "lm_head", "lm_head", Config.HiddenSize, Config.VocabSize, IsHead: true);

    protected NormSite AddNormSite(int layer, string name, string path, bool isHead = false)
    {
        var site = new NormSite(_norms.Count, layer, name, path, Config.HiddenSize, isHead);
        _norms.Add(site);
        _normBiases.Add(null!);
        return site;
    }

    /// <summary>Sets a site's weight [out, in] and its bias [out] when the site has one; the model owns both.</summary>
    protected void SetSiteWeights(LinearSite site, IWeightMatrix weight, Tensor? bias)
    {
        if (site.HasBias != bias is not null) throw new InvalidOperationException($"{site.Path}: bias presence differs from its site");
        _siteWeights[site.Index] = Own(weight);
        _siteBiases[site.Index] = bias is null ? null : Own(bias);
    }

    /// <summary>The head's weight [vocab, hidden]; the model owns it (one matrix with the embedding when tied and held alike).</summary>
    protected void SetHeadWeight(IWeightMatrix weight) => _headWeight = Own(weight);

    /// <summary>A norm site's bias [features], owned elsewhere in the model.</summary>
    protected void SetNormBias(NormSite site, Tensor bias) => _normBiases[site.Index] = bias;

    /// <summary>A site's frozen base weight [out, in] in its resident form, float or INT8 (nobody writes it). Code that
    /// needs the values reads them through <see cref="IWeightMatrix"/>, a block or one matrix at a time.</summary>
    public IWeightMatrix SiteWeight(LinearSite site)
    {
        ArgumentNullException.ThrowIfNull(site);
        return (site.IsHead ? _headWeight : _siteWeights[site.Index]) ?? throw new InvalidOperationException($"{site.Path} has no weight loaded");
    }

    /// <summary>The output projection [vocab, hidden] in its resident form.</summary>
    public IWeightMatrix HeadWeight => SiteWeight(HeadSite);

    /// <summary>A site's frozen base bias [out], or null when the layer has none.</summary>
    public Tensor? SiteBias(LinearSite site)
    {
        ArgumentNullException.ThrowIfNull(site);
        return site.IsHead ? null : _siteBiases[site.Index];
    }

    /// <summary>A norm site's frozen bias [features].</summary>
    public Tensor NormBias(NormSite site)
    {
        ArgumentNullException.ThrowIfNull(site);
        return _normBiases[site.Index];
    }

    /// <summary>Registers a long-lived tensor for disposal with the model.</summary>
    protected Tensor Own(Tensor tensor)
    {
        _owned.Add(tensor);
        return tensor;
    }

    /// <summary>Registers a matrix for disposal with the model (once, however often it is passed).</summary>
    protected IWeightMatrix Own(IWeightMatrix matrix)
    {
        if (!_owned.Contains(matrix)) _owned.Add(matrix);
        return matrix;
    }

    /// <summary>y = x Wᵀ + b by the site's own kernel, with the adapters' changes to the input and the output of this site.</summary>
    protected Tensor Linear(LinearSite site, Tensor x, IForwardHooks hooks)
    {
        x = hooks.BeforeLinear(site, x);
        return hooks.AfterLinear(site, x, SiteWeight(site).Linear(x, _siteBiases[site.Index]));
    }

    /// <summary>The output head: logits = x Wᵀ, with the adapters' changes on the logit rows.</summary>
    protected Tensor HeadLinear(Tensor x, IForwardHooks hooks)
    {
        x = hooks.BeforeLinear(HeadSite, x);
        return hooks.AfterLinear(HeadSite, x, HeadWeight.Linear(x, null));
    }

    /// <summary>Float matrices and loose tensors (embeddings, norms) onto huge pages; INT8 matrices keep their own
    /// layout's pages.</summary>
    private void AdviseHugePages()
    {
        foreach (var owned in _owned)
        {
            if (owned is DenseMatrix dense) HugePages.Advise(dense.Weight);
            else if (owned is Tensor tensor) HugePages.Advise(tensor);
        }
    }

    private Dictionary<string, long> CountResidentBytes()
    {
        var bytes = new Dictionary<string, long>();
        foreach (var owned in _owned)
        {
            var parts = owned switch
            {
                IWeightMatrix m => m.ResidentBytes(),
                Tensor t => [(DtypeNames.Of(t.dtype), t.NumberOfElements * t.ElementSize)],
                _ => [],
            };
            foreach (var (dtype, count) in parts) bytes[dtype] = bytes.GetValueOrDefault(dtype) + count;
        }
        return bytes;
    }

    /// <summary>Runs <paramref name="part"/> (a layer, or part of one) in its own dispose scope so its intermediates die
    /// with it; only the result moves to the caller's scope.</summary>
    protected static Tensor InOwnScope(Func<Tensor> part)
    {
        using var scope = NewDisposeScope();
        return part().MoveToOuterDisposeScope();
    }

    protected virtual void Dispose(bool disposing)
    {
        if (!disposing) return;
        foreach (var t in _owned) t.Dispose();
        _owned.Clear();
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }
}
