using Peft.Runtime.Adapters;
using Peft.Runtime.Adapters.Registry;
using Peft.Runtime.Adapters.Storage;

namespace Peft.Runtime.Tests.Adapters.Registry;

/// <summary>
/// Two registries on one store directory, as two replicas whose memory has not caught up with each other: every
/// change is made against the manifest as it is under the store's lock, so neither overwrites the other's, and
/// each follows the manifest when it syncs or meets an id it does not know.
/// </summary>
public sealed class RegistrySharingTests : IDisposable
{
    private readonly RegistryFixture _f = new();
    private readonly AdapterStore _otherStore;
    private readonly AdapterRegistry _other;

    public RegistrySharingTests() => (_otherStore, _other) = _f.Replica();

    [Fact]
    public async Task Changes_on_two_replicas_that_never_synced_all_land_in_the_manifest()
    {
        await _f.Registry.RegisterAsync("a", "lora_qv", replace: false);
        await _other.RegisterAsync("b", "prefix", replace: false);
        Assert.Equal(["a", "b"], Listed());

        // Unloading what only the other replica registered works from either; the manifest decides.
        Assert.Equal(0, _f.Registry.Unregister("b"));
        Assert.Equal(["a"], Listed());
        // Registering an id the manifest lists is refused even where memory does not know it.
        await Assert.ThrowsAsync<AdapterExistsException>(() => _other.RegisterAsync("a", "prompt", replace: false));

        var sync = await _other.SyncAsync();
        Assert.Empty(sync.Failures);
        Assert.Equal(["a"], _other.List().Select(v => v.Id));
        Assert.Equal(_f.Registry.Get("a").ContentHash, _other.Get("a").ContentHash);
    }

    [Fact]
    public async Task An_unknown_id_is_found_in_the_manifest_once_and_an_unlisted_one_is_not()
    {
        var registered = await _f.Registry.RegisterAsync("elsewhere", "lora_all", replace: false);

        Assert.Equal(registered.ContentHash, _other.Find("elsewhere")!.ContentHash);
        using (var lease = _other.Acquire("elsewhere")) Assert.Equal(registered.ContentHash, lease.Version.ContentHash);
        Assert.Null(_other.Find("nowhere"));
        Assert.Throws<AdapterNotFoundException>(() => _other.Acquire("nowhere"));
    }

    [Fact]
    public async Task Unloading_what_another_replica_already_unloaded_is_not_found_and_forgets_it_here()
    {
        await _f.Registry.RegisterAsync("a", "lora_qv", replace: false);
        Assert.NotNull(_other.Find("a"));
        _f.Registry.Unregister("a");

        Assert.Throws<AdapterNotFoundException>(() => _other.Unregister("a"));
        Assert.Empty(_other.List());
        Assert.Empty(Listed());
    }

    [Fact]
    public async Task A_replace_elsewhere_is_followed_at_the_next_sync_and_the_old_version_retired()
    {
        var first = await _f.Registry.RegisterAsync("a", "lora_qv", replace: false);
        var seen = _other.Find("a")!;
        var second = await _other.RegisterAsync("a", "lora_all", replace: true);

        var sync = await _f.Registry.SyncAsync();

        Assert.Equal(["a"], sync.Changed);
        Assert.Equal(second.ContentHash, _f.Registry.Get("a").ContentHash);
        Assert.True(first.IsRetired);
        Assert.True(seen.IsRetired);
    }

    [Fact]
    public async Task A_manifest_that_cannot_be_read_changes_nothing_at_a_sync()
    {
        await _f.Registry.RegisterAsync("a", "lora_qv", replace: false);
        string manifest = _f.Store.ManifestPath;
        string good = File.ReadAllText(manifest);
        File.WriteAllText(manifest, "{ not json");

        var sync = await _f.Registry.SyncAsync();

        Assert.Equal(AdapterManifest.FileName, Assert.Single(sync.Failures).Id);
        Assert.Equal(["a"], _f.Registry.List().Select(v => v.Id));
        Assert.Equal("{ not json", File.ReadAllText(manifest));   // a sync reads; it never moves the file aside
        File.WriteAllText(manifest, good);
    }

    [Fact]
    public async Task A_corrupt_manifest_at_start_is_reported_and_no_adapter_files_are_removed()
    {
        await using (var upload = _f.Store.BeginUpload("uploaded"))
        {
            await upload.WriteAsync(AdapterFiles.ConfigFile, File.ReadAllBytes(Path.Combine(_f.Root, "lora_qv", AdapterFiles.ConfigFile)));
            await upload.WriteAsync(AdapterFiles.WeightsFile, File.ReadAllBytes(Path.Combine(_f.Root, "lora_qv", AdapterFiles.WeightsFile)));
            await _f.Registry.RegisterUploadAsync(upload, replace: false);
        }
        string stored = _f.Registry.Get("uploaded").Directory;
        File.WriteAllText(_f.Store.ManifestPath, "{ not json");

        var restarted = _f.Restart();
        var failures = await restarted.RestoreAsync();

        var (id, error) = Assert.Single(failures);
        Assert.Equal(AdapterManifest.FileName, id);
        Assert.Contains("is unreadable: not valid JSON", error.Message);
        Assert.Contains("moved it to", error.Message);
        Assert.Empty(restarted.RemovedAtRestore);
        Assert.True(Directory.Exists(stored));
        Assert.Empty(restarted.List());
    }

    private IEnumerable<string> Listed() => _f.Store.ReadManifest().Entries.Select(e => e.Id).Order(StringComparer.Ordinal);

    public void Dispose()
    {
        _other.Dispose();
        _otherStore.Dispose();
        _f.Dispose();
    }
}
