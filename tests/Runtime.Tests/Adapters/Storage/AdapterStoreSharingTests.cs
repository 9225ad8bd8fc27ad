using Peft.Runtime.Adapters;
using Peft.Runtime.Adapters.Storage;

namespace Peft.Runtime.Tests.Adapters.Storage;

/// <summary>
/// Several stores on one directory, as replicas on a shared volume. Two stores in one process exclude each other
/// exactly as two processes do: each lock is a flock on its own open file description. Points where one store
/// holds the lock are reached through a callback that runs under it, and the other store's wait through the
/// <see cref="AdapterStoreOptions.LockBusy"/> seam, so every assertion is about a state, never a timing.
/// </summary>
public sealed class AdapterStoreSharingTests : IDisposable
{
    private static readonly TimeSpan Cap = TimeSpan.FromSeconds(60);
    private readonly TempTree tree = new();
    private readonly List<AdapterStore> stores = [];

    public void Dispose()
    {
        foreach (var store in stores) store.Dispose();
        tree.Dispose();
    }

    private AdapterStore Store(Action? busy = null, TimeSpan? timeout = null)
    {
        var store = new AdapterStore(new AdapterStoreOptions([], tree.At("store"))
        {
            LockBusy = busy,
            LockTimeout = timeout ?? AdapterStore.DefaultLockTimeout,
        });
        stores.Add(store);
        return store;
    }

    [Fact]
    public async Task A_store_starting_leaves_a_live_stores_upload_alone_and_it_still_commits()
    {
        var a = Store();
        await using var upload = a.BeginUpload("in-flight");
        await upload.WriteAsync(AdapterFiles.ConfigFile, TempTree.ConfigBytes);

        var b = Store();

        Assert.NotEqual(a.StagingDirectory, b.StagingDirectory);
        // Still open for writing (and flock-ed by it): looked at, not read.
        Assert.True(File.Exists(Path.Combine(upload.StagingDirectory, AdapterFiles.ConfigFile)));
        await upload.WriteAsync(AdapterFiles.WeightsFile, TempTree.WeightBytes);
        string committed = upload.Commit();
        Assert.Equal(TempTree.ConfigBytes, File.ReadAllBytes(Path.Combine(committed, AdapterFiles.ConfigFile)));
        Assert.Equal(TempTree.WeightBytes, File.ReadAllBytes(Path.Combine(committed, AdapterFiles.WeightsFile)));
    }

    [Fact]
    public async Task The_slots_of_stores_that_are_gone_are_emptied_by_the_next_store_and_live_ones_are_not()
    {
        var live = Store();
        var gone1 = Store();
        var gone2 = Store();
        await using var kept = live.BeginUpload("kept");
        await kept.WriteAsync(AdapterFiles.ConfigFile, TempTree.ConfigBytes);
        foreach (var gone in new[] { gone1, gone2 })
        {
            var left = gone.BeginUpload("left");
            await left.WriteAsync(AdapterFiles.ConfigFile, TempTree.ConfigBytes);
            gone.Dispose();   // as a crash: the lock goes, the files stay
        }

        var next = Store();

        // It takes the first free slot (gone1's) and empties the other free one (gone2's) as well.
        Assert.Equal(gone1.StagingDirectory, next.StagingDirectory);
        Assert.Empty(Directory.EnumerateFileSystemEntries(gone1.StagingDirectory));
        Assert.False(Directory.Exists(gone2.StagingDirectory));
        Assert.True(File.Exists(Path.Combine(kept.StagingDirectory, AdapterFiles.ConfigFile)));
    }

    [Fact]
    public async Task A_change_waits_for_the_store_lock_and_is_made_on_the_manifest_the_holder_wrote()
    {
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var a = Store();
        var b = Store(busy: () => release.TrySetResult());
        var first = Task.Run(() => a.ChangeManifest(entries =>
        {
            holding.SetResult();
            release.Task.Wait(Cap);
            return [.. entries, Entry("a")];
        }));
        await holding.Task.WaitAsync(Cap);

        IReadOnlyList<ManifestEntry>? seen = null;
        await Task.Run(() => b.ChangeManifest(entries =>
        {
            seen = entries;
            return [.. entries, Entry("b")];
        })).WaitAsync(Cap);
        await first.WaitAsync(Cap);

        Assert.Equal(["a"], seen!.Select(e => e.Id));
        Assert.Equal(["a", "b"], a.ReadManifest().Entries.Select(e => e.Id));
    }

    [Fact]
    public async Task A_change_that_cannot_get_the_lock_in_time_fails_as_busy_and_changes_nothing()
    {
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var a = Store();
        var b = Store(timeout: TimeSpan.Zero);
        var first = Task.Run(() => a.ChangeManifest(entries =>
        {
            holding.SetResult();
            release.Task.Wait(Cap);
            return null;
        }));
        await holding.Task.WaitAsync(Cap);

        var e = Assert.Throws<AdapterStoreBusyException>(() => b.ChangeManifest(entries => [.. entries, Entry("b")]));

        release.SetResult();
        await first.WaitAsync(Cap);
        Assert.Contains("is locked by another server sharing it", e.Message);
        Assert.Empty(b.ReadManifest().Entries);
    }

    [Fact]
    public async Task Start_up_clean_up_waits_while_another_store_commits_and_keeps_what_it_listed()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var moved = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var a = Store();
        await using var upload = a.BeginUpload("new");
        await upload.WriteAsync(AdapterFiles.ConfigFile, TempTree.ConfigBytes);
        await upload.WriteAsync(AdapterFiles.WeightsFile, TempTree.WeightBytes);
        // A is between moving the upload into adapters/ and writing the entry that lists it.
        var commit = Task.Run(() => a.ChangeManifest(entries =>
        {
            string directory = upload.Commit();
            moved.SetResult(directory);
            release.Task.Wait(Cap);
            return [.. entries, Entry("new") with { Path = directory }];
        }));
        string committed = await moved.Task.WaitAsync(Cap);
        var b = Store(busy: () => release.TrySetResult());

        var cleanup = await Task.Run(b.RemoveUnlisted).WaitAsync(Cap);
        await commit.WaitAsync(Cap);

        Assert.Empty(cleanup.Removed);
        Assert.Null(cleanup.ManifestProblem);
        Assert.True(Directory.Exists(committed));
        Assert.Equal([committed], b.ReadManifest().Entries.Select(e => e.Path));
    }

    [Fact]
    public async Task A_stored_version_another_registration_still_lists_is_not_deleted()
    {
        var a = Store();
        await using var upload = a.BeginUpload("x");
        await upload.WriteAsync(AdapterFiles.ConfigFile, TempTree.ConfigBytes);
        await upload.WriteAsync(AdapterFiles.WeightsFile, TempTree.WeightBytes);
        string directory = "";
        a.ChangeManifest(entries =>
        {
            directory = upload.Commit();
            return [Entry("y") with { Path = directory }];
        });
        var b = Store();

        Assert.False(b.DeleteStoredVersion(directory));
        Assert.True(Directory.Exists(directory));
        b.ChangeManifest(_ => []);
        Assert.True(b.DeleteStoredVersion(directory));
        Assert.False(Directory.Exists(directory));
    }

    private ManifestEntry Entry(string id) =>
        new(id, tree.Adapter($"roots/{id}"), new string('a', 64), "LORA", new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
}
