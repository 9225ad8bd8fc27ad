using Peft.Runtime.Adapters;
using Peft.Runtime.Adapters.Storage;

namespace Peft.Runtime.Tests.Adapters.Storage;

/// <summary>Uploads are staged privately, capped, and appear whole under adapters/ on commit or not at all.</summary>
public sealed class AdapterStoreUploadTests : IDisposable
{
    private readonly TempTree tree = new();

    public void Dispose() => tree.Dispose();

    private AdapterStore Store(long maxUpload = AdapterStoreOptions.DefaultMaxUploadBytes, long maxConfig = AdapterStoreOptions.DefaultMaxConfigBytes) =>
        new(new AdapterStoreOptions([tree.Dir("root")], tree.At("store"), maxUpload, maxConfig));

    /// <summary>The staging slot of the first store on the directory.</summary>
    private string Incoming => tree.At("store/.incoming/replica-0");

    [Fact]
    public async Task A_committed_upload_appears_byte_identical_under_adapters_id_version()
    {
        var store = Store();
        await using var upload = store.BeginUpload("my-adapter");
        string versions = tree.At("store/adapters/my-adapter");

        await upload.WriteAsync(AdapterFiles.ConfigFile, TempTree.ConfigBytes.AsMemory(0, 10));
        await upload.WriteAsync(AdapterFiles.WeightsFile, TempTree.WeightBytes.AsMemory(0, 1000));
        await upload.WriteAsync(AdapterFiles.ConfigFile, TempTree.ConfigBytes.AsMemory(10));
        await upload.WriteAsync(AdapterFiles.WeightsFile, TempTree.WeightBytes.AsMemory(1000));
        Assert.True(Directory.Exists(upload.StagingDirectory));
        Assert.False(Directory.Exists(versions) && Directory.EnumerateDirectories(versions).Any());

        string committed = upload.Commit();

        Assert.Equal(versions, Path.GetDirectoryName(committed));
        Assert.Equal([committed], Directory.GetDirectories(versions));
        Assert.Equal(TempTree.ConfigBytes, File.ReadAllBytes(Path.Combine(committed, AdapterFiles.ConfigFile)));
        Assert.Equal(TempTree.WeightBytes, File.ReadAllBytes(Path.Combine(committed, AdapterFiles.WeightsFile)));
        Assert.Equal(TempTree.ConfigBytes.Length + TempTree.WeightBytes.Length, upload.BytesReceived);
        Assert.False(Directory.Exists(upload.StagingDirectory));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Incoming));
        // What the store returns is what resolution returns for it, so the registry can compare paths.
        Assert.Equal(committed, store.Resolve(committed));
        Assert.Equal(committed, store.Resolve($"my-adapter/{Path.GetFileName(committed)}"));
        Assert.True(store.IsStoredVersion(committed));
    }

    [Fact]
    public async Task Two_uploads_of_one_id_become_two_versions()
    {
        var store = Store();
        string first = await Upload(store, "twice");
        string second = await Upload(store, "twice");

        Assert.NotEqual(first, second);
        Assert.Equal(2, Directory.GetDirectories(tree.At("store/adapters/twice")).Length);
    }

    [Fact]
    public async Task The_version_name_starts_with_the_commit_time()
    {
        var time = new FixedTime(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var store = new AdapterStore(new AdapterStoreOptions([], tree.At("store")), time);

        string committed = await Upload(store, "timed");

        Assert.StartsWith("20250102T030405Z-", Path.GetFileName(committed), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_config_cap_is_enforced_with_a_message_naming_limit_and_size()
    {
        await using var upload = Store(maxConfig: 10).BeginUpload("a");
        await upload.WriteAsync(AdapterFiles.ConfigFile, new byte[6]);

        var e = await Assert.ThrowsAsync<AdapterUploadException>(() => upload.WriteAsync(AdapterFiles.ConfigFile, new byte[6]).AsTask());

        Assert.Equal("upload of adapter 'a': adapter_config.json would reach 12 bytes, over the limit of 10 bytes for the config", e.Message);
        Assert.Equal(6, upload.BytesReceived);
    }

    [Fact]
    public async Task The_total_cap_counts_both_files_and_allows_exactly_the_limit()
    {
        await using var upload = Store(maxUpload: 100, maxConfig: 10).BeginUpload("a");
        await upload.WriteAsync(AdapterFiles.ConfigFile, new byte[10]);
        await upload.WriteAsync(AdapterFiles.WeightsFile, new byte[80]);
        await upload.WriteAsync(AdapterFiles.WeightsFile, new byte[10]);

        var e = await Assert.ThrowsAsync<AdapterUploadException>(() => upload.WriteAsync(AdapterFiles.WeightsFile, new byte[1]).AsTask());

        Assert.Equal("upload of adapter 'a': the upload would reach 101 bytes, over the limit of 100 bytes for one adapter", e.Message);
        Assert.Equal(100, upload.BytesReceived);
    }

    [Fact]
    public async Task After_a_refused_chunk_the_upload_accepts_nothing_more()
    {
        await using var upload = Store(maxUpload: 100, maxConfig: 10).BeginUpload("a");
        await upload.WriteAsync(AdapterFiles.ConfigFile, new byte[10]);
        await Assert.ThrowsAsync<AdapterUploadException>(() => upload.WriteAsync(AdapterFiles.WeightsFile, new byte[200]).AsTask());

        var write = await Assert.ThrowsAsync<AdapterUploadException>(() => upload.WriteAsync(AdapterFiles.WeightsFile, new byte[1]).AsTask());
        var commit = Assert.Throws<AdapterUploadException>(upload.Commit);

        Assert.Equal("upload of adapter 'a': the upload failed earlier and accepts nothing more", write.Message);
        Assert.Equal(write.Message, commit.Message);
    }

    [Theory]
    [InlineData("adapter_model.bin")]
    [InlineData("ADAPTER_CONFIG.JSON")]
    [InlineData("../adapter_config.json")]
    [InlineData("sub/adapter_model.safetensors")]
    [InlineData("")]
    public async Task Only_the_two_adapter_file_names_are_accepted(string fileName)
    {
        await using var upload = Store().BeginUpload("a");

        var e = await Assert.ThrowsAsync<AdapterUploadException>(() => upload.WriteAsync(fileName, new byte[1]).AsTask());

        Assert.Equal($"upload of adapter 'a': '{fileName}' is not an adapter file; only adapter_config.json and adapter_model.safetensors are accepted", e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(upload.StagingDirectory));
    }

    [Fact]
    public async Task Commit_without_both_files_is_refused()
    {
        await using var upload = Store().BeginUpload("a");
        await upload.WriteAsync(AdapterFiles.ConfigFile, TempTree.ConfigBytes);

        var e = Assert.Throws<AdapterUploadException>(upload.Commit);

        Assert.Equal("upload of adapter 'a': the upload is incomplete: adapter_model.safetensors not received", e.Message);
        Assert.False(Directory.Exists(tree.At("store/adapters/a")) && Directory.EnumerateFileSystemEntries(tree.At("store/adapters/a")).Any());
    }

    [Fact]
    public async Task Disposing_without_commit_removes_the_staging_directory()
    {
        var store = Store();
        var upload = store.BeginUpload("a");
        await upload.WriteAsync(AdapterFiles.WeightsFile, TempTree.WeightBytes);
        var asyncUpload = store.BeginUpload("b");
        await asyncUpload.WriteAsync(AdapterFiles.ConfigFile, TempTree.ConfigBytes);

        upload.Dispose();
        await asyncUpload.DisposeAsync();

        Assert.False(Directory.Exists(upload.StagingDirectory));
        Assert.False(Directory.Exists(asyncUpload.StagingDirectory));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Incoming));
        Assert.Throws<ObjectDisposedException>(upload.Commit);
    }

    [Fact]
    public async Task Disposing_after_commit_keeps_the_adapter_and_a_second_commit_is_refused()
    {
        var upload = Store().BeginUpload("a");
        await upload.WriteAsync(AdapterFiles.ConfigFile, TempTree.ConfigBytes);
        await upload.WriteAsync(AdapterFiles.WeightsFile, TempTree.WeightBytes);
        string committed = upload.Commit();

        Assert.Throws<InvalidOperationException>(upload.Commit);
        upload.Dispose();

        Assert.True(File.Exists(Path.Combine(committed, AdapterFiles.WeightsFile)));
    }

    [Fact]
    public async Task Leftovers_of_a_crashed_upload_are_removed_when_the_next_store_takes_its_slot()
    {
        var store = Store();
        await using var crashed = store.BeginUpload("crashed");
        await crashed.WriteAsync(AdapterFiles.WeightsFile, TempTree.WeightBytes);
        // What the single-process layout left directly in .incoming/ goes too; a link is removed, not followed.
        string incoming = tree.At("store/.incoming");
        File.WriteAllText(Path.Combine(incoming, "stray-file"), "x");
        Directory.CreateDirectory(Path.Combine(incoming, "old.0123abcd"));
        string precious = tree.Adapter("elsewhere/precious");
        Directory.CreateSymbolicLink(Path.Combine(incoming, "link"), precious);
        // As a crash does: the slot's lock goes with the process, its files stay.
        store.Dispose();

        var next = Store();

        Assert.Equal(store.StagingDirectory, next.StagingDirectory);
        Assert.False(Directory.Exists(crashed.StagingDirectory));
        Assert.Empty(Directory.EnumerateFileSystemEntries(next.StagingDirectory));
        Assert.Equal(["replica-0", "replica-0.lock"], Directory.EnumerateFileSystemEntries(incoming).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.True(File.Exists(Path.Combine(precious, AdapterFiles.WeightsFile)));
    }

    [Theory]
    [InlineData("")]
    [InlineData(".hidden")]
    [InlineData("a/b")]
    [InlineData("..")]
    public void An_invalid_adapter_id_cannot_start_an_upload(string id)
    {
        var store = Store();

        Assert.Throws<ArgumentException>(() => store.BeginUpload(id));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Incoming));
    }

    private static async Task<string> Upload(AdapterStore store, string id)
    {
        await using var upload = store.BeginUpload(id);
        await upload.WriteAsync(AdapterFiles.ConfigFile, TempTree.ConfigBytes);
        await upload.WriteAsync(AdapterFiles.WeightsFile, TempTree.WeightBytes);
        return upload.Commit();
    }
}
