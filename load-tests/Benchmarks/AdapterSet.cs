using Peft.LoadTests.Synthetic;
using Peft.Runtime.Adapters;
using Peft.Runtime.Adapters.Registry;
using Peft.Runtime.Adapters.Storage;
using Peft.Runtime.Models;
using TorchSharp;

namespace Peft.LoadTests.Benchmarks;

/// <summary>
/// Synthetic LoRA adapters written as PEFT directories under the cache, registered by path through a real
/// <see cref="AdapterStore"/> and <see cref="AdapterRegistry"/> (whose store directory is temporary).
/// </summary>
internal sealed class AdapterSet : IDisposable
{
    private readonly string _storeDirectory;

    private AdapterSet(AdapterRegistry registry, IReadOnlyList<string> ids, IReadOnlyList<string> directories, string storeDirectory)
    {
        Registry = registry;
        Ids = ids;
        Directories = directories;
        _storeDirectory = storeDirectory;
    }

    public AdapterRegistry Registry { get; }

    /// <summary>Adapter ids in popularity order (index = Zipf rank).</summary>
    public IReadOnlyList<string> Ids { get; }

    public IReadOnlyList<string> Directories { get; }

    public static async Task<AdapterSet> CreateAsync(BenchCache cache, CausalLM model, ModelShape shape, int count, int rank,
        torch.ScalarType fileDtype, long hostBudgetBytes, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(cache);
        var directories = new string[count];
        for (int i = 0; i < count; i++)
        {
            directories[i] = cache.Adapter(shape, rank, fileDtype, i);
            if ((i + 1) % 100 == 0) log.WriteLine($"  adapters written or found: {i + 1}/{count}");
        }
        string storeDirectory = Path.Combine(cache.Root, "stores", Guid.NewGuid().ToString("N"));
        var store = new AdapterStore(new AdapterStoreOptions([cache.AdaptersRoot], storeDirectory));
        var registry = new AdapterRegistry(BaseModel.Of(model), store, new AdapterRegistryOptions { HostBudgetBytes = hostBudgetBytes }, TimeProvider.System);
        var ids = new string[count];
        try
        {
            for (int i = 0; i < count; i++)
            {
                ids[i] = $"lora-{i:D4}";
                await registry.RegisterAsync(ids[i], directories[i], replace: false);
                if ((i + 1) % 100 == 0) log.WriteLine($"  adapters registered: {i + 1}/{count}");
            }
        }
        catch
        {
            registry.Dispose();
            throw;
        }
        return new AdapterSet(registry, ids, directories, storeDirectory);
    }

    /// <summary>Registers more adapter directories (other methods) as prefix-0000, prefix-0001, …; returns their ids.</summary>
    public async Task<IReadOnlyList<string>> AddAsync(string prefix, IReadOnlyList<string> directories)
    {
        ArgumentNullException.ThrowIfNull(directories);
        var ids = directories.Select((_, i) => $"{prefix}-{i:D4}").ToArray();
        for (int i = 0; i < ids.Length; i++) await Registry.RegisterAsync(ids[i], directories[i], replace: false);
        return ids;
    }

    public void Dispose()
    {
        Registry.Dispose();
        if (Directory.Exists(_storeDirectory)) Directory.Delete(_storeDirectory, recursive: true);
    }
}
