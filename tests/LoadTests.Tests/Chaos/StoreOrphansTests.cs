using Peft.LoadTests.Chaos;

namespace Peft.LoadTests.Tests.Chaos;

public sealed class StoreOrphansTests : IDisposable
{
    private readonly string _store = Path.Combine(Path.GetTempPath(), $"chaos-store-{Guid.NewGuid():N}");

    [Fact]
    public void Upload_directories_nothing_lists_and_staged_files_are_orphans()
    {
        string listed = Dir("adapters", "a", "v1");
        Dir("adapters", "a", "v0");          // replaced, still on disk
        Dir("adapters", "empty");           // a failed upload's id directory
        Dir("adapters", "b", "v2");         // written, never registered
        Directory.CreateDirectory(Path.Combine(_store, ".incoming"));
        File.WriteAllText(Path.Combine(_store, ".incoming", "u1.part"), "x");

        var orphans = StoreOrphans.Find(_store, [listed, "/elsewhere/fixture/adapter"]);

        Assert.Equal([Rel("adapters", "a", "v0"), Rel("adapters", "b", "v2"), Rel("adapters", "empty"), Rel(".incoming", "u1.part")], orphans);
    }

    [Fact]
    public void A_replicas_staging_slot_and_its_lock_are_the_stores_own_but_what_a_slot_holds_is_left_over()
    {
        Dir(".incoming", "replica-0");
        string busy = Dir(".incoming", "replica-1");
        File.WriteAllText(Path.Combine(_store, ".incoming", "replica-0.lock"), "");
        File.WriteAllText(Path.Combine(_store, ".incoming", "replica-1.lock"), "");
        Directory.CreateDirectory(Path.Combine(busy, "a.1234"));
        File.WriteAllText(Path.Combine(_store, ".incoming", "replica-x.lock"), "");

        var orphans = StoreOrphans.Find(_store, []);

        Assert.Equal([Rel(".incoming", "replica-1", "a.1234"), Rel(".incoming", "replica-x.lock")], orphans);
    }

    [Fact]
    public void A_store_that_matches_its_listing_has_none()
    {
        string a = Dir("adapters", "a", "v1");
        Assert.Empty(StoreOrphans.Find(_store, [a + Path.DirectorySeparatorChar]));
        Assert.Empty(StoreOrphans.Find(Path.Combine(_store, "never-created"), []));
    }

    private string Dir(params string[] parts)
    {
        string path = Path.Combine([_store, .. parts]);
        Directory.CreateDirectory(path);
        return path;
    }

    private static string Rel(params string[] parts) => Path.Combine(parts);

    public void Dispose()
    {
        if (Directory.Exists(_store)) Directory.Delete(_store, recursive: true);
    }
}
