using Peft.Runtime.Adapters;
using Peft.Runtime.Adapters.Registry;
using Peft.Runtime.Tests.Fixtures;

namespace Peft.Runtime.Tests.Adapters.Registry;

public sealed class RegistryLifecycleTests : IDisposable
{
    private readonly RegistryFixture _f = new();

    [Fact]
    public async Task What_is_registered_survives_a_restart_with_the_same_versions()
    {
        var a = await _f.Registry.RegisterAsync("a", "lora_qv", replace: false);
        var b = await _f.Registry.RegisterAsync("b", "prefix", replace: false);
        await _f.Registry.RegisterAsync("gone", "prompt", replace: false);
        _f.Registry.Unregister("gone");

        var restarted = _f.Restart();
        var failures = await restarted.RestoreAsync();

        Assert.Empty(failures);
        Assert.Equal(["a", "b"], restarted.List().Select(v => v.Id));
        Assert.Equal(a.ContentHash, restarted.Get("a").ContentHash);
        Assert.Equal(b.Facts, restarted.Get("b").Facts);
    }

    [Fact]
    public async Task A_restart_skips_an_adapter_whose_files_went_bad_and_keeps_the_rest()
    {
        await _f.Registry.RegisterAsync("a", "lora_qv", replace: false);
        await _f.Registry.RegisterAsync("b", "prompt", replace: false);
        File.WriteAllText(Path.Combine(_f.Root, "prompt", AdapterFiles.ConfigFile), "{");

        var restarted = _f.Restart();
        var failures = await restarted.RestoreAsync();

        Assert.Equal("b", Assert.Single(failures).Id);
        Assert.Equal(["a"], restarted.List().Select(v => v.Id));
    }

    [Fact]
    public async Task Unregistering_keeps_the_version_alive_for_requests_holding_it()
    {
        var v = await _f.Registry.RegisterAsync("a", "lora_qv", replace: false);
        var lease = _f.Registry.Acquire("a");
        Assert.Equal(1, _f.Registry.Unregister("a"));
        Assert.Throws<AdapterNotFoundException>(() => _f.Registry.Acquire("a"));
        Assert.True(v.IsRetired);
        Assert.NotNull(v.HostIfLoaded);      // the request can still use it
        lease.Dispose();
        Assert.Null(v.HostIfLoaded);         // freed with the last lease
        lease.Dispose();                     // idempotent
        Assert.Equal(0, v.RequestsInFlight);
    }

    [Fact]
    public async Task The_host_tier_stays_within_its_budget_and_reloads_on_demand()
    {
        using var f = new RegistryFixture(hostBudget: 3 * 100_000);
        for (int i = 0; i < 20; i++) await f.Registry.RegisterAsync($"a{i}", "lora_qv", replace: false);
        long size = f.Registry.Get("a0").Facts.SizeBytes;
        Assert.InRange(size, 20_000, 100_000);
        Assert.True(f.Registry.HostBytes <= 3 * 100_000, $"host tier holds {f.Registry.HostBytes} bytes");

        var evicted = f.Registry.List().First(v => v.Tier == AdapterTier.Disk);
        using var lease = f.Registry.Acquire(evicted.Id);
        var host = await f.Registry.EnsureHost(evicted);
        Assert.Equal(size, host.SizeBytes);
        Assert.Equal(AdapterTier.Host, evicted.Tier);
    }

    [Fact]
    public async Task Host_copies_of_adapters_leaving_the_device_are_trimmed_back_to_the_budget()
    {
        using var f = new RegistryFixture(hostBudget: 3 * 100_000);
        var versions = new List<AdapterVersion>();
        for (int i = 0; i < 8; i++)
        {
            var v = await f.Registry.RegisterAsync($"a{i}", "lora_qv", replace: false);
            await f.Registry.EnsureHost(v);
            v.OnDevice = true;   // as the engine marks what it copied into a slot
            versions.Add(v);
        }
        long size = versions[0].Facts.SizeBytes;
        Assert.Equal(8 * size, f.Registry.HostBytes);   // on the device: exempt from the budget

        foreach (var v in versions) f.Registry.LeftDevice(v);
        Assert.InRange(f.Registry.HostBytes, 0, 3 * 100_000);
        // Trimmed to the budget, not emptied: as many as fit stay parsed on the host.
        Assert.Equal((int)Math.Min(8, 3 * 100_000 / size), versions.Count(v => v.Tier == AdapterTier.Host));
    }

    [Fact]
    public async Task Files_changed_after_registration_are_refused_at_reload()
    {
        using var f = new RegistryFixture(hostBudget: 0);
        var v = await f.Registry.RegisterAsync("a", "lora_qv", replace: false);
        Assert.Equal(AdapterTier.Disk, v.Tier);
        f.CopyAdapter(Path.Combine(HfFixtures.Root, "llama", "adapters", "lora_all"), "lora_qv");
        using var lease = f.Registry.Acquire("a");
        var e = await Assert.ThrowsAsync<AdapterLoadException>(() => f.Registry.EnsureHost(v));
        Assert.Contains("changed since registration", e.Message);
    }

    public void Dispose() => _f.Dispose();
}
