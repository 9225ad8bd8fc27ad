using Grpc.Core;
using Peft.Server.Tests.Support;
using Peft.Testing;

namespace Peft.Server.Tests;

/// <summary>
/// Two real servers on loopback with one adapter store: what one registers, replaces or unloads, the other serves,
/// at the same content-hash version, without a restart. Each step waits for the observable change (with a timeout),
/// never for a time.
/// </summary>
public sealed class SharedStoreTests
{
    [Fact]
    public async Task A_registration_replace_and_unload_on_one_replica_are_served_by_the_other()
    {
        string store = Fixtures.TempDirectory("peft-shared-store");
        try
        {
            await using var a = await LoopbackServer.StartAsync(null, $"--Adapters:StoreDirectory={store}");
            await using var b = await LoopbackServer.StartAsync(null, $"--Adapters:StoreDirectory={store}", "--Adapters:StoreSyncInterval=00:00:00.100");
            using var onA = a.CreateClient();
            using var onB = b.CreateClient();

            // Registered on A; B reads the manifest for the unknown id on its first request.
            var first = await onA.UploadAdapterAsync("shared", Path.Combine(Fixtures.HfRoot, "llama", "adapters", "lora_qv"));
            var served = await onB.GenerateAsync(Requests.Ids(maxNewTokens: 3, adapter: "shared"));
            Assert.Equal(3, served.TokenIds.Count);
            Assert.Equal(first.Version, served.AdapterVersion);

            // Replaced on A by another adapter: B follows to the new version.
            var second = await onA.UploadAdapterAsync("shared", Path.Combine(Fixtures.HfRoot, "llama", "adapters", "lora_all"), replace: true);
            Assert.NotEqual(first.Version, second.Version);
            await WaitFor(() => b.Model.Registry.List().Any(v => v.Id == "shared" && v.ContentHash == second.Version));
            var replaced = await onB.GenerateAsync(Requests.Ids(maxNewTokens: 3, adapter: "shared"));
            Assert.Equal(second.Version, replaced.AdapterVersion);

            // Unloaded on A: B forgets it and answers NOT_FOUND.
            await onA.UnloadAdapterAsync("shared");
            await WaitFor(() => b.Model.Registry.List().All(v => v.Id != "shared"));
            var missing = await Assert.ThrowsAsync<RpcException>(() => onB.GenerateAsync(Requests.Ids(adapter: "shared")));
            Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        }
        finally
        {
            Fixtures.TryDelete(store);
        }
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "the other replica did not follow the store within 60 s");
            await Task.Delay(20);
        }
    }
}
