using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Peft.Runtime.Adapters;
using Peft.Runtime.Adapters.Registry;
using Peft.Runtime.Adapters.Storage;
using Peft.Runtime.Engine;
using Peft.Runtime.Engine.Output;
using Peft.Runtime.Models;
using Peft.Runtime.Models.Weights;
using Peft.Runtime.Storage;
using Peft.Runtime.Tokenization;
using Peft.Runtime.Training.Jobs;
using Peft.Runtime.Torch;
using Peft.Server.Options;

namespace Peft.Server.Hosting;

/// <summary>
/// Everything the server serves from, built once at start and owned here: the base model, its tokenizer (if the
/// directory has one), the adapter store and registry, and the running engine. Disposed at shutdown.
/// </summary>
public sealed class LoadedModel : IAsyncDisposable
{
    private static readonly string[] TokenizerFiles = ["tokenizer.json", "tokenizer.model"];

    private LoadedModel(string directory, CausalLM model, ModelTokenizer? tokenizer, ITextDecoder decoder, AdapterRegistry registry,
        InferenceEngine engine, EngineMetrics metrics, TrainingJobManager training, ModelChatTemplates chatTemplates)
    {
        ChatTemplates = chatTemplates;
        Training = training;
        Directory = directory;
        Model = model;
        Tokenizer = tokenizer;
        Decoder = decoder;
        Registry = registry;
        Engine = engine;
        Metrics = metrics;
    }

    /// <summary>The model directory (absolute).</summary>
    public string Directory { get; }
    public CausalLM Model { get; }
    /// <summary>Null when the model directory has no tokenizer files: only token-id prompts are served.</summary>
    public ModelTokenizer? Tokenizer { get; }
    public ITextDecoder Decoder { get; }
    public AdapterRegistry Registry { get; }
    public AdapterStore Store => Registry.Store;
    public InferenceEngine Engine { get; }
    public EngineMetrics Metrics { get; }
    public TrainingJobManager Training { get; }
    public int VocabSize => Model.Config.VocabSize;
    /// <summary>The model directory's chat templates, or why there are none.</summary>
    public ModelChatTemplates ChatTemplates { get; }

    /// <summary>Loads the model and tokenizer, opens the adapter store and starts the engine thread.</summary>
    public static LoadedModel Load(ModelOptions modelOptions, AdapterOptions adapterOptions, EngineOptions engineOptions,
        TrainingOptions trainingOptions, ContentPaths paths, IMeterFactory meters, TimeProvider time, FileWrites writes)
    {
        string directory = paths.Resolve(modelOptions.Path);
        if (modelOptions.Threads > 0) TorchSharp.torch.set_num_threads(modelOptions.Threads);
        var model = CausalLM.Load(directory, new ModelLoadOptions
        {
            Device = DeviceSpec.Parse(modelOptions.Device),
            Dtype = ModelLoadOptions.ParseDtype(modelOptions.Dtype),
            Quantization = new WeightQuantization
            {
                Format = WeightQuantization.ParseFormat(modelOptions.Quantization),
                Embeddings = modelOptions.QuantizeEmbeddings,
                Head = modelOptions.QuantizeHead,
            },
            Threads = modelOptions.Threads,
            EmbeddingsFromFile = modelOptions.EmbeddingsFromFile,
        });
        AdapterStore? store = null;
        AdapterRegistry? registry = null;
        EngineMetrics? metrics = null;
        try
        {
            var tokenizer = HasTokenizer(directory) ? ModelTokenizer.Load(directory) : null;
            var chatTemplates = ModelChatTemplates.Load(directory);
            store = new AdapterStore(new AdapterStoreOptions(
                [.. adapterOptions.Roots.Select(paths.Resolve)], paths.Resolve(adapterOptions.StoreDirectory),
                adapterOptions.MaxUploadBytes, adapterOptions.MaxConfigBytes)
            { Writes = writes, LockTimeout = adapterOptions.StoreLockTimeout }, time);
            registry = new AdapterRegistry(BaseModel.Of(model), store, new AdapterRegistryOptions { HostBudgetBytes = adapterOptions.HostBudgetBytes }, time);
            metrics = new EngineMetrics(meters);
            var decoder = tokenizer is null ? NoTextDecoder.Instance : (ITextDecoder)new TokenizerDecoder(tokenizer);
            var engine = new InferenceEngine(model, engineOptions, registry, decoder, time, metrics);
            var training = new TrainingJobManager(model, tokenizer, registry, new TrainingJobOptions
            {
                JobsDirectory = paths.Resolve(trainingOptions.JobsDirectory),
                DataRoot = trainingOptions.DataRoot is { } root ? paths.Resolve(root) : null,
                MaxDatasetBytes = trainingOptions.MaxDatasetBytes,
                BaseModelName = directory,
                Writes = writes,
            }, time);
            training.JobFinished += job => metrics.TrainingJobFinished(job.State.ToString().ToLowerInvariant());
            training.Attach(engine);
            engine.Start();
            return new LoadedModel(directory, model, tokenizer, decoder, registry, engine, metrics, training, chatTemplates);
        }
        catch
        {
            registry?.Dispose();
            store?.Dispose();
            metrics?.Dispose();
            model.Dispose();
            throw;
        }
    }

    public static bool HasTokenizer(string directory) => TokenizerFiles.Any(f => File.Exists(Path.Combine(directory, f)));

    public async ValueTask DisposeAsync()
    {
        await Engine.DisposeAsync();
        Training.Dispose();
        Registry.Dispose();
        Store.Dispose();
        Model.Dispose();
        Metrics.Dispose();
    }
}
