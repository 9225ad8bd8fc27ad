using System.Text;
using Peft.Runtime.Adapters.Storage;

namespace Peft.Runtime.Tests.Adapters.Storage;

/// <summary>The manifest round-trips, is replaced atomically, and a corrupt one is moved aside rather than
/// stopping startup.</summary>
public sealed class AdapterStoreManifestTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2025, 1, 2, 3, 4, 5, 6, TimeSpan.Zero);
    private readonly TempTree tree = new();
    private readonly string directory;
    private readonly AdapterManifest manifest;

    public AdapterStoreManifestTests()
    {
        directory = tree.Dir("store");
        manifest = new AdapterManifest(directory, new FixedTime(Now));
    }

    public void Dispose() => tree.Dispose();

    private string ManifestPath => Path.Combine(directory, AdapterManifest.FileName);

    private static ManifestEntry Entry(string id, int n = 0) =>
        new(id, $"/srv/adapters/{id}", $"sha{n:x4}", "LORA", new DateTimeOffset(2024, 12, 31, 23, 59, 58, TimeSpan.FromHours(2)).AddMinutes(n));

    [Fact]
    public void Without_a_manifest_the_registry_starts_empty()
    {
        var read = manifest.Load();

        Assert.Empty(read.Entries);
        Assert.Null(read.Problem);
    }

    [Fact]
    public void Saved_entries_load_back_equal_and_in_order()
    {
        ManifestEntry[] entries = [Entry("b"), Entry("a", 1) with { PeftType = "PREFIX_TUNING" }, Entry("c.v2", 2)];

        manifest.Save(entries);
        var read = new AdapterManifest(directory).Load();

        Assert.Equal(entries, read.Entries);
        Assert.Null(read.Problem);
    }

    [Fact]
    public void The_file_uses_explicit_snake_case_names_and_a_format_number()
    {
        manifest.Save([Entry("a")]);

        string json = File.ReadAllText(ManifestPath);

        foreach (string name in new[] { "\"format\": 1", "\"adapters\"", "\"id\"", "\"path\"", "\"version\"", "\"peft_type\"", "\"registered_at\"" })
            Assert.Contains(name, json, StringComparison.Ordinal);
    }

    [Fact]
    public void A_save_replaces_the_file_and_leaves_no_temporary_file()
    {
        manifest.Save([Entry("a"), Entry("b")]);
        manifest.Save([Entry("c")]);

        Assert.Equal([ManifestPath], Directory.GetFileSystemEntries(directory));
        Assert.Equal([Entry("c")], manifest.Load().Entries);
    }

    [Fact]
    public void Concurrent_saves_never_interleave_and_the_last_one_wins_whole()
    {
        var lists = Enumerable.Range(0, 24)
            .Select(i => Enumerable.Range(0, 1 + i % 5).Select(j => Entry($"a{i}-{j}", j)).ToArray())
            .ToArray();

        Parallel.ForEach(lists, new ParallelOptions { MaxDegreeOfParallelism = 4 }, list => manifest.Save(list));

        var read = manifest.Load();
        Assert.Null(read.Problem);
        Assert.Contains(lists, list => list.SequenceEqual(read.Entries));
        Assert.Equal([ManifestPath], Directory.GetFileSystemEntries(directory));
    }

    [Fact]
    public void A_corrupt_manifest_is_moved_aside_and_the_registry_starts_empty()
    {
        byte[] garbage = Encoding.UTF8.GetBytes("{\"format\": 1, \"adapters\": [ {\"id\": ");
        File.WriteAllBytes(ManifestPath, garbage);
        string aside = ManifestPath + ".corrupt-20250102T030405006Z";

        var read = manifest.Load();

        Assert.Empty(read.Entries);
        Assert.Equal(aside, read.MovedAsideTo);
        Assert.StartsWith($"adapter manifest {ManifestPath} is unreadable: not valid JSON (", read.Problem, StringComparison.Ordinal);
        Assert.EndsWith($"; moved it to {aside} and started with no registered adapters", read.Problem, StringComparison.Ordinal);
        Assert.False(File.Exists(ManifestPath));
        Assert.Equal(garbage, File.ReadAllBytes(aside));
        // The next start finds no manifest and no problem; saving works again.
        Assert.Null(manifest.Load().Problem);
        manifest.Save([Entry("a")]);
        Assert.Equal([Entry("a")], manifest.Load().Entries);
    }

    [Fact]
    public void A_second_corrupt_manifest_at_the_same_moment_does_not_overwrite_the_first()
    {
        File.WriteAllText(ManifestPath, "first");
        string first = manifest.Load().MovedAsideTo!;
        File.WriteAllText(ManifestPath, "second");
        string second = manifest.Load().MovedAsideTo!;

        Assert.NotEqual(first, second);
        Assert.Equal("first", File.ReadAllText(first));
        Assert.Equal("second", File.ReadAllText(second));
    }

    public static TheoryData<string, string> WellFormedButWrong => new()
    {
        { "null", "the document is JSON null" },
        { """{"adapters": []}""", "format (missing), expected 1" },
        { """{"format": 2, "adapters": []}""", "format 2, expected 1" },
        { """{"format": 1}""", "no \"adapters\" list" },
        { """{"format": 1, "adapters": [null]}""", "entry 0 is null" },
        { """{"format": 1, "adapters": [{"id": "a", "path": "/x", "version": "v", "registered_at": "2025-01-01T00:00:00Z"}]}""", "entry 0 has no \"peft_type\"" },
        { """{"format": 1, "adapters": [{"id": "../a", "path": "/x", "version": "v", "peft_type": "LORA", "registered_at": "2025-01-01T00:00:00Z"}]}""", "entry 0 has an invalid id" },
        { """{"format": 1, "adapters": [{"id": "a", "path": "x", "version": "v", "peft_type": "LORA", "registered_at": "2025-01-01T00:00:00Z"}]}""", "entry 0 has a path that is not absolute" },
        {
            """{"format": 1, "adapters": [{"id": "a", "path": "/x", "version": "v", "peft_type": "LORA", "registered_at": "2025-01-01T00:00:00Z"}, {"id": "a", "path": "/y", "version": "w", "peft_type": "LORA", "registered_at": "2025-01-01T00:00:00Z"}]}""",
            "entry 1 repeats id 'a'"
        },
    };

    [Theory]
    [MemberData(nameof(WellFormedButWrong))]
    public void Valid_json_that_is_not_a_valid_manifest_is_moved_aside_too(string json, string problem)
    {
        File.WriteAllText(ManifestPath, json);

        var read = manifest.Load();

        Assert.Empty(read.Entries);
        Assert.Equal($"adapter manifest {ManifestPath} is unreadable: {problem}; moved it to {read.MovedAsideTo} and started with no registered adapters", read.Problem);
        Assert.False(File.Exists(ManifestPath));
    }

    [Fact]
    public void Saving_entries_a_load_would_reject_is_refused_and_keeps_the_previous_manifest()
    {
        manifest.Save([Entry("a")]);

        var duplicate = Assert.Throws<ArgumentException>(() => manifest.Save([Entry("b"), Entry("b", 1)]));
        var relative = Assert.Throws<ArgumentException>(() => manifest.Save([Entry("b") with { Path = "relative/b" }]));

        Assert.Equal("adapter manifest not saved: entry 1 repeats id 'b'", duplicate.Message);
        Assert.Equal("adapter manifest not saved: entry 0 has a path that is not absolute", relative.Message);
        Assert.Equal([Entry("a")], manifest.Load().Entries);
    }

    [Fact]
    public void Temporary_files_of_an_interrupted_save_are_removed_when_the_store_starts()
    {
        string leftover = Path.Combine(directory, $".{AdapterManifest.FileName}.0123456789abcdef.tmp");
        File.WriteAllText(leftover, "{\"format\": 1, \"adap");
        string unrelated = Path.Combine(directory, "notes.tmp");
        File.WriteAllText(unrelated, "kept");

        _ = new AdapterStore(new AdapterStoreOptions([], directory));

        Assert.False(File.Exists(leftover));
        Assert.True(File.Exists(unrelated));
    }
}
