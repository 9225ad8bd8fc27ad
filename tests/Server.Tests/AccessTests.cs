using Grpc.Core;
using Grpc.Health.V1;
using Peft.Protos.V1;
using Peft.Server.Tests.Support;
using Peft.Testing;

namespace Peft.Server.Tests;

public sealed class KeyedServer : SharedServer
{
    public const string ServingKey = "test-serving-key";

    protected override string[] Arguments => [$"--Server:ApiKey={ServingKey}"];
}

/// <summary>Each API only on its endpoint, and each endpoint's key: missing is UNAUTHENTICATED, wrong is PERMISSION_DENIED.</summary>
public sealed partial class AccessTests(KeyedServer fixture) : IClassFixture<KeyedServer>
{
    private LoopbackServer Server => fixture.Server;

    private static Metadata Key(string key) => new() { { "x-api-key", key } };

    [Fact]
    public async Task The_admin_api_on_the_serving_endpoint_is_permission_denied_even_with_the_admin_key()
    {
        var adapters = new Adapters.AdaptersClient(Server.Channel);

        string detail = await Requests.Fails(StatusCode.PermissionDenied,
            async () => await adapters.ListAdaptersAsync(new ListAdaptersRequest(), Key(LoopbackServer.AdminKey)));

        Assert.Contains("admin endpoint", detail);
        Assert.Contains(Server.AdminAddress.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), detail);
    }

    [Fact]
    public async Task Generation_on_the_admin_endpoint_is_permission_denied()
    {
        var generation = new Generation.GenerationClient(Server.AdminChannel);

        string detail = await Requests.Fails(StatusCode.PermissionDenied,
            async () => await generation.GenerateAsync(Requests.Ids(), Key(KeyedServer.ServingKey)));

        Assert.Contains("serving endpoint", detail);
    }

    [Fact]
    public async Task Admin_calls_without_a_key_are_unauthenticated_and_with_a_wrong_one_permission_denied()
    {
        using var none = Server.CreateClient(apiKey: null, adminKey: null);
        using var wrong = Server.CreateClient(KeyedServer.ServingKey, adminKey: "not-the-key");
        using var servingKeyOnly = new Client.PeftClient(new Client.PeftClientOptions
        {
            Address = Server.Address, AdminAddress = Server.AdminAddress, ApiKey = KeyedServer.ServingKey, MaxAttempts = 1,
        });

        Assert.Contains("x-api-key", await Requests.Fails(StatusCode.Unauthenticated, () => none.ListAdaptersAsync()));
        Assert.Contains("admin API key", await Requests.Fails(StatusCode.PermissionDenied, () => wrong.LoadAdapterAsync("a", "llama/adapters/lora_qv")));
        // The serving key is no admin key (the client falls back to it for admin calls when no admin key is set).
        await Requests.Fails(StatusCode.PermissionDenied, () => servingKeyOnly.ListAdaptersAsync());
        await Requests.Fails(StatusCode.PermissionDenied, () => wrong.UploadAdapterAsync("a", Fixtures.LlamaAdapter("prompt")));
    }

    [Fact]
    public async Task Serving_calls_need_the_serving_key_when_one_is_configured()
    {
        using var none = Server.CreateClient(apiKey: null);
        using var wrong = Server.CreateClient(apiKey: "nope");
        using var right = Server.CreateClient(apiKey: KeyedServer.ServingKey);

        await Requests.Fails(StatusCode.Unauthenticated, () => none.GenerateAsync(Requests.Ids()));
        await Requests.Fails(StatusCode.PermissionDenied, () => wrong.GenerateAsync(Requests.Ids()));
        await Requests.Fails(StatusCode.Unauthenticated, async () =>
        {
            await foreach (var _ in none.GenerateStreamAsync(Requests.Ids()))
            {
            }
        });
        Assert.Equal(8, (await right.GenerateAsync(Requests.Ids())).TokenIds.Count);
        Assert.NotEmpty(await right.ListAdaptersAsync().ContinueWith(_ => "admin key still works", TaskScheduler.Default));
    }

    [Fact]
    public async Task Health_answers_on_both_endpoints_without_a_key()
    {
        foreach (var channel in new[] { Server.Channel, Server.AdminChannel })
        {
            var reply = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
        }
    }
}
