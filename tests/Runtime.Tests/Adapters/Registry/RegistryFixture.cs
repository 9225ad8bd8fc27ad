using Peft.Runtime.Adapters;
using Peft.Runtime.Adapters.Registry;
using Peft.Runtime.Adapters.Storage;
using Peft.Runtime.Storage;
using Peft.Runtime.Tests.Fixtures;
using Peft.Runtime.Tests.Models;

namespace Peft.Runtime.Tests.Adapters.Registry;

/// <summary>A registry over the llama fixture model with a temp adapter root holding copies of the fixture adapters.</summary>
internal sealed class RegistryFixture : IDisposable
{
    private readonly FileWrites _writes;

    public RegistryFixture(string family = "llama", long hostBudget = 2L << 30, TimeProvider? time = null, FileWrites? writes = null)
    {
        _writes = writes ?? FileWrites.Direct;
        Directory.CreateDirectory(Root);
        foreach (var dir in Directory.GetDirectories(Path.Combine(HfFixtures.Root, family, "adapters")))
            CopyAdapter(dir, Path.GetFileName(dir));
        Model = ModelCache.Family(family);
        Store = new AdapterStore(new AdapterStoreOptions([Root], StoreDirectory) { Writes = _writes });
        Registry = new AdapterRegistry(BaseModel.Of(Model), Store, new AdapterRegistryOptions { HostBudgetBytes = hostBudget }, time ?? TimeProvider.System);
    }

    public string Top { get; } = Path.Combine(Path.GetTempPath(), $"peft-registry-{Guid.NewGuid():N}");
    public string Root => Path.Combine(Top, "root");
    public string StoreDirectory => Path.Combine(Top, "store");
    public Peft.Runtime.Models.CausalLM Model { get; }
    public AdapterStore Store { get; private set; }
    public AdapterRegistry Registry { get; private set; }

    public string CopyAdapter(string from, string name)
    {
        string to = Path.Combine(Root, name);
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)), overwrite: true);
        return to;
    }

    /// <summary>A new registry over the same store, as after a restart.</summary>
    public AdapterRegistry Restart()
    {
        Registry.Dispose();
        Store.Dispose();
        Store = new AdapterStore(new AdapterStoreOptions([Root], StoreDirectory) { Writes = _writes });
        Registry = new AdapterRegistry(BaseModel.Of(Model), Store, new AdapterRegistryOptions(), TimeProvider.System);
        return Registry;
    }

    /// <summary>Another replica on the same store directory, alive beside this one (the caller disposes both).</summary>
    public (AdapterStore Store, AdapterRegistry Registry) Replica(AdapterStoreOptions? options = null)
    {
        var store = new AdapterStore(options ?? new AdapterStoreOptions([Root], StoreDirectory));
        return (store, new AdapterRegistry(BaseModel.Of(Model), store, new AdapterRegistryOptions(), TimeProvider.System));
    }

    public void Dispose()
    {
        Registry.Dispose();
        Store.Dispose();
        Directory.Delete(Top, recursive: true);
    }
}
