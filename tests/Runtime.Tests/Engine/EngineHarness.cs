using Peft.Runtime.Adapters;
using Peft.Runtime.Adapters.Registry;
using Peft.Runtime.Adapters.Storage;
using Peft.Runtime.Engine;
using Peft.Runtime.Engine.Output;
using Peft.Runtime.Engine.Sampling;
using Peft.Runtime.Models;
using Peft.Runtime.Tests.Fixtures;
using Peft.Runtime.Tests.Models;

namespace Peft.Runtime.Tests.Engine;

/// <summary>A real engine over a fixture model, with a real registry whose root is tests/fixtures/hf (or another
/// fixture root whose adapters fit the model).</summary>
internal sealed class EngineHarness : IAsyncDisposable
{
    private readonly string _store = Path.Combine(Path.GetTempPath(), $"peft-store-{Guid.NewGuid():N}");

    public EngineHarness(string family, EngineOptions options, ITextDecoder? decoder = null, TimeProvider? time = null, bool int8 = false)
        : this(int8 ? ModelCache.Int8(family) : ModelCache.Family(family), HfFixtures.Root, options, decoder, time)
    {
    }

    public EngineHarness(CausalLM model, string adapterRoot, EngineOptions options, ITextDecoder? decoder = null, TimeProvider? time = null)
    {
        Model = model;
        Store = new AdapterStore(new AdapterStoreOptions([adapterRoot], _store));
        Registry = new AdapterRegistry(BaseModel.Of(Model), Store, new AdapterRegistryOptions(), time ?? TimeProvider.System);
        Engine = new InferenceEngine(Model, options, Registry, decoder, time);
        Engine.Start();
    }

    public CausalLM Model { get; }
    public AdapterStore Store { get; }
    public AdapterRegistry Registry { get; }
    public InferenceEngine Engine { get; }

    /// <summary>Registers every adapter of the family under its folder name.</summary>
    public async Task<IReadOnlyList<string>> RegisterFamilyAdaptersAsync(string family)
    {
        var ids = new List<string>();
        foreach (var dir in Directory.GetDirectories(Path.Combine(HfFixtures.Root, family, "adapters")).Order(StringComparer.Ordinal))
        {
            string id = Path.GetFileName(dir);
            await Registry.RegisterAsync(id, Path.GetRelativePath(HfFixtures.Root, dir), replace: false);
            ids.Add(id);
        }
        return ids;
    }

    public GenerationStream Submit(int[] prompt, string? adapter = null, SamplingParams? sampling = null, CancellationToken cancellationToken = default) =>
        Submit(prompt, adapter, taskId: null, sampling, cancellationToken);

    public GenerationStream Submit(int[] prompt, string? adapter, int? taskId, SamplingParams? sampling, CancellationToken cancellationToken = default) =>
        Engine.Submit(new GenerationRequest
        {
            PromptTokens = prompt,
            Adapter = adapter is null ? null : Registry.Acquire(adapter),
            Sampling = sampling ?? SamplingParams.Greedy,
            TaskId = taskId,
        }, cancellationToken);

    /// <summary>Reads a stream to its end: all tokens, all text, and the finish event.</summary>
    public static async Task<Completion> CollectAsync(GenerationStream stream)
    {
        using (stream)
        {
            var tokens = new List<int>();
            var text = new System.Text.StringBuilder();
            var logprobs = new List<TokenChoice>();
            await foreach (var e in stream.Events.ReadAllAsync())
            {
                switch (e)
                {
                    case TokensGenerated t:
                        tokens.AddRange(t.TokenIds);
                        text.Append(t.Text);
                        if (t.Logprobs is not null) logprobs.AddRange(t.Logprobs);
                        break;
                    case GenerationFinished f:
                        return new Completion(tokens, text.ToString(), f, logprobs);
                }
            }
            throw new InvalidOperationException("the stream ended without a finish event");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Engine.DisposeAsync();
        Registry.Dispose();
        if (Directory.Exists(_store)) Directory.Delete(_store, recursive: true);
    }
}

internal sealed record Completion(IReadOnlyList<int> Tokens, string Text, GenerationFinished Finish, IReadOnlyList<TokenChoice> Logprobs);
