using Peft.Runtime.Adapters;
using Peft.Runtime.Adapters.Registry;
using Peft.Runtime.Storage;
using Peft.Testing;

namespace Peft.Runtime.Tests.Adapters.Registry;

/// <summary>
/// Durable state changes before memory does: with the store's disk full, register and unload change nothing (live
/// state and what a restart restores stay equal) and say so; at start, whatever the manifest does not name is
/// removed from the store.
/// </summary>
public sealed class RegistryDurabilityTests : IDisposable
{
    private readonly FullDisk _disk;
    private readonly RegistryFixture _f;

    public RegistryDurabilityTests()
    {
        _disk = new FullDisk(Path.GetTempPath());
        _f = new RegistryFixture(writes: _disk);
    }

    [Fact]
    public async Task Unload_with_the_disk_full_changes_nothing_and_says_so()
    {
        var a = await _f.Registry.RegisterAsync("a", "lora_qv", replace: false);
        _disk.FailWhen(path => path.StartsWith(_f.StoreDirectory, StringComparison.Ordinal));

        var e = Assert.Throws<StorageFullException>(() => _f.Registry.Unregister("a"));

        Assert.Contains("adapter 'a' was not unloaded", e.Message);
        Assert.Contains("disk is full", e.Message);
        Assert.Equal(a, _f.Registry.Get("a"));
        using (var lease = _f.Registry.Acquire("a")) Assert.Equal(a, lease.Version);
        Assert.Equal(["a"], _f.Store.LoadManifest().Entries.Select(x => x.Id));

        _disk.Free();
        _f.Registry.Unregister("a");
        Assert.Empty(_f.Store.LoadManifest().Entries);
    }

    [Fact]
    public async Task Register_with_the_disk_full_changes_nothing_and_a_restart_restores_what_was_acknowledged()
    {
        await _f.Registry.RegisterAsync("a", "lora_qv", replace: false);
        _disk.FailWhen(path => path.StartsWith(_f.StoreDirectory, StringComparison.Ordinal));

        await Assert.ThrowsAsync<StorageFullException>(() => _f.Registry.RegisterAsync("b", "prefix", replace: false));
        var replaced = await Assert.ThrowsAsync<StorageFullException>(() => _f.Registry.RegisterAsync("a", "lora_all", replace: true));

        Assert.Contains("adapter 'a' was not registered", replaced.Message);
        Assert.Equal(["a"], _f.Registry.List().Select(v => v.Id));
        var live = _f.Registry.Get("a").ContentHash;
        _disk.Free();
        var restarted = _f.Restart();
        await restarted.RestoreAsync();
        Assert.Equal(["a"], restarted.List().Select(v => v.Id));
        Assert.Equal(live, restarted.Get("a").ContentHash);
    }

    [Fact]
    public async Task At_start_what_no_registration_names_is_removed_from_the_store()
    {
        // Registered through an upload, so it lives in the store too: it must stay.
        string kept;
        await using (var upload = _f.Store.BeginUpload("kept"))
        {
            await Upload(upload, Path.Combine(_f.Root, "lora_qv"));
            kept = (await _f.Registry.RegisterUploadAsync(upload, replace: false)).Directory;
        }
        // A kill between an upload's move into adapters/ and the manifest write: complete files nobody lists.
        string orphan;
        await using (var upload = _f.Store.BeginUpload("orphan"))
        {
            await Upload(upload, Path.Combine(_f.Root, "prompt"));
            orphan = upload.Commit();
        }
        Directory.CreateDirectory(Path.Combine(_f.Store.AdaptersDirectory, "empty"));

        var restarted = _f.Restart();
        await restarted.RestoreAsync();

        Assert.False(Directory.Exists(orphan));
        Assert.False(Directory.Exists(Path.GetDirectoryName(orphan)));
        Assert.False(Directory.Exists(Path.Combine(_f.Store.AdaptersDirectory, "empty")));
        Assert.True(Directory.Exists(kept));
        Assert.Contains(Path.GetRelativePath(_f.Store.AdaptersDirectory, orphan), restarted.RemovedAtRestore);
        Assert.Equal(["kept"], restarted.List().Select(v => v.Id));
    }

    [Fact]
    public async Task Deleting_the_last_version_of_an_id_removes_its_folder()
    {
        string stored;
        await using (var upload = _f.Store.BeginUpload("once"))
        {
            await Upload(upload, Path.Combine(_f.Root, "lora_qv"));
            stored = upload.Commit();
        }
        Assert.True(_f.Store.DeleteStoredVersion(stored));
        Assert.False(Directory.Exists(Path.GetDirectoryName(stored)));
    }

    private static async Task Upload(Peft.Runtime.Adapters.Storage.AdapterUpload upload, string from)
    {
        foreach (string name in (string[])[AdapterFiles.ConfigFile, AdapterFiles.WeightsFile])
            await upload.WriteAsync(name, await File.ReadAllBytesAsync(Path.Combine(from, name)));
    }

    public void Dispose() => _f.Dispose();
}
