using Peft.Runtime.Adapters;
using Peft.Runtime.Adapters.Storage;

namespace Peft.Runtime.Tests.Adapters.Storage;

/// <summary>Options validation, the store's own root, and deletion that only ever reaches committed uploads.</summary>
public sealed class AdapterStoreLifecycleTests : IDisposable
{
    private readonly TempTree tree = new();

    public void Dispose() => tree.Dispose();

    [Fact]
    public void Options_make_roots_absolute_create_the_store_and_keep_defaults()
    {
        string root = tree.Dir("root");
        string relative = Path.GetRelativePath(Environment.CurrentDirectory, root);

        var options = new AdapterStoreOptions([relative], tree.At("new/store/dir"));

        Assert.Equal([root], options.Roots);
        Assert.Equal(tree.At("new/store/dir"), options.StoreDirectory);
        Assert.True(Directory.Exists(options.StoreDirectory));
        Assert.Equal(1L << 30, options.MaxUploadBytes);
        Assert.Equal(1L << 20, options.MaxConfigBytes);
    }

    [Fact]
    public void Options_refuse_a_missing_root_bad_limits_and_a_store_overlapping_a_root()
    {
        string root = tree.Dir("root");
        string store = tree.At("store");

        var missing = Assert.Throws<ArgumentException>(() => new AdapterStoreOptions([tree.At("missing")], store));
        Assert.Equal($"adapter root {tree.At("missing")} does not exist", missing.Message);
        Assert.Throws<ArgumentException>(() => new AdapterStoreOptions([root], store, maxUploadBytes: 0));
        Assert.Throws<ArgumentException>(() => new AdapterStoreOptions([root], store, maxUploadBytes: 10, maxConfigBytes: 11));
        Assert.Throws<ArgumentException>(() => new AdapterStoreOptions([root], Path.Combine(root, ".store")));
        Assert.Throws<ArgumentException>(() => new AdapterStoreOptions([tree.Dir("store/inner")], store));
        // Overlap through a link counts too.
        Directory.CreateSymbolicLink(tree.At("root-alias"), root);
        Assert.Throws<ArgumentException>(() => new AdapterStoreOptions([tree.At("root-alias")], Path.Combine(root, "store")));
    }

    [Fact]
    public void The_store_resolves_user_roots_first_then_uploads_but_never_its_staging_area()
    {
        string user = tree.Adapter("root/x");
        var store = new AdapterStore(new AdapterStoreOptions([tree.Dir("root")], tree.At("store")));
        tree.Adapter("store/adapters/x");
        tree.Adapter("store/.incoming/half");

        Assert.Equal([tree.At("root"), tree.At("store/adapters")], store.Roots);
        Assert.Equal(user, store.Resolve("x"));
        Assert.Equal(AdapterPathReason.NotFound, Assert.Throws<AdapterPathException>(() => store.Resolve(".incoming/half")).Reason);
        Assert.Equal(AdapterPathReason.OutsideRoots, Assert.Throws<AdapterPathException>(() => store.Resolve(tree.At("store/.incoming/half"))).Reason);
    }

    [Fact]
    public async Task DeleteStoredVersion_removes_a_committed_upload_once()
    {
        var store = new AdapterStore(new AdapterStoreOptions([], tree.At("store")));
        await using var upload = store.BeginUpload("gone");
        await upload.WriteAsync(AdapterFiles.ConfigFile, TempTree.ConfigBytes);
        await upload.WriteAsync(AdapterFiles.WeightsFile, TempTree.WeightBytes);
        string committed = upload.Commit();

        Assert.True(store.DeleteStoredVersion(committed));
        Assert.False(Directory.Exists(committed));
        Assert.False(store.DeleteStoredVersion(committed));
    }

    [Fact]
    public void DeleteStoredVersion_never_touches_anything_but_an_adapters_id_version_directory()
    {
        string user = tree.Adapter("root/x");
        var store = new AdapterStore(new AdapterStoreOptions([tree.Dir("root")], tree.At("store")));
        string version = tree.Adapter("store/adapters/a/v1");
        string[] refused =
        [
            user,
            tree.At("root"),
            tree.At("store"),
            tree.At("store/adapters"),
            tree.At("store/adapters/a"),
            tree.At("store/adapters/a/v1/adapter_model.safetensors"),
            tree.At("store/adapters/a/v1/../v1"),
            tree.At("store/adapters/a/../../../root/x"),
            "adapters/a/v1",
            "",
        ];

        foreach (string path in refused)
            Assert.Throws<ArgumentException>(() => store.DeleteStoredVersion(path));

        Assert.True(File.Exists(Path.Combine(user, AdapterFiles.WeightsFile)));
        Assert.True(File.Exists(Path.Combine(version, AdapterFiles.WeightsFile)));
        Assert.False(store.IsStoredVersion(user));
        Assert.True(store.IsStoredVersion(version));
    }

    [Fact]
    public void DeleteStoredVersion_refuses_a_version_that_is_a_link_to_a_user_root()
    {
        string user = tree.Adapter("root/x");
        var store = new AdapterStore(new AdapterStoreOptions([tree.Dir("root")], tree.At("store")));
        tree.Dir("store/adapters/a");
        Directory.CreateSymbolicLink(tree.At("store/adapters/a/v1"), user);
        Directory.CreateSymbolicLink(tree.At("store/adapters/b"), tree.At("root"));

        Assert.Throws<ArgumentException>(() => store.DeleteStoredVersion(tree.At("store/adapters/a/v1")));
        Assert.Throws<ArgumentException>(() => store.DeleteStoredVersion(tree.At("store/adapters/b/x")));

        Assert.True(File.Exists(Path.Combine(user, AdapterFiles.WeightsFile)));
    }
}
