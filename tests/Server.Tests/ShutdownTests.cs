using Grpc.Core;
using Grpc.Health.V1;
using Peft.Protos.V1;
using Peft.Server.Hosting;
using Peft.Server.Tests.Support;
using Peft.Testing;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Peft.Server.Tests;

/// <summary>
/// Health is NOT_SERVING until the model is loaded and warmed up, and again from the moment shutdown begins;
/// calls meanwhile are UNAVAILABLE; a stream running at shutdown drains to its end.
/// </summary>
public sealed class ShutdownTests
{
    [Theory]
    [InlineData(ServingState.Loading)]
    [InlineData(ServingState.WarmingUp)]
    public async Task Until_the_model_is_loaded_and_warmed_up_health_is_not_serving_and_calls_are_unavailable(ServingState state)
    {
        var (server, hold) = await LoopbackServer.StartHeldAsync(state);
        await using var _ = server;
        using var __ = hold;
        var host = Host(server);
        using var client = server.CreateClient();

        Assert.Equal(state, host.State);
        Assert.Equal(ServingStatus.NotServing, await Health(server));
        Assert.Contains("still loading", await Requests.Fails(StatusCode.Unavailable, () => client.GenerateAsync(Requests.Ids())));
        Assert.Contains("still loading", await Requests.Fails(StatusCode.Unavailable, () => client.ListAdaptersAsync()));

        hold.Release();
        await host.Ready.WaitAsync(Waits.Cap);
        Assert.Equal(ServingStatus.Serving, await Health(server));
        Assert.Equal(3, (await client.GenerateAsync(Requests.Ids(maxNewTokens: 3))).TokenIds.Count);
    }

    [Fact]
    public async Task Stopping_reports_not_serving_drains_a_running_stream_to_its_end_and_refuses_new_calls()
    {
        await using var server = await LoopbackServer.StartAsync(null, "--Server:DrainTimeout=00:05:00");
        using var client = server.CreateClient();
        var generation = new Generation.GenerationClient(server.Channel);

        // The engine is held with the stream mid-generation, so shutdown begins while it runs.
        using var hold = server.EngineHooks.HoldAfterTokens(1);
        using var running = generation.GenerateStream(Requests.Ids(maxNewTokens: 240));
        Assert.True(await running.ResponseStream.MoveNext(CancellationToken.None));
        await hold.Reached;
        var host = Host(server);
        var stopping = Task.Run(() => server.App.StopAsync());
        await WaitUntil(() => host.State == ServingState.Stopping);

        // Health answers NOT_SERVING while Kestrel still accepts; once Kestrel has closed its listener the check cannot
        // connect (UNAVAILABLE), which a load balancer reads the same way. Either way it is never SERVING again.
        Assert.Equal(ServingStatus.NotServing, await HealthOrClosed(server));
        // The model host refuses new work as soon as shutdown begins (Kestrel may also refuse the connection).
        var refused = await Assert.ThrowsAsync<RpcException>(() => client.GenerateAsync(Requests.Ids()));
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.False(stopping.IsCompleted, "the server stopped while a stream was running");

        hold.Release();
        int tokens = running.ResponseStream.Current.TokenIds.Count;
        var last = running.ResponseStream.Current;
        while (await running.ResponseStream.MoveNext(CancellationToken.None))
        {
            tokens += running.ResponseStream.Current.TokenIds.Count;
            last = running.ResponseStream.Current;
        }
        await stopping;

        Assert.Equal(240, tokens);
        Assert.Equal(FinishReason.Length, last.FinishReason);
    }

    [Fact]
    public async Task During_the_shutdown_delay_health_is_not_serving_while_calls_are_still_served()
    {
        // A delay far longer than the test: it ends when the stop is told to hurry, never by the clock.
        await using var server = await LoopbackServer.StartAsync(null, "--Server:ShutdownDelay=01:00:00");
        using var client = server.CreateClient();
        var health = new Health.HealthClient(server.Channel);
        var host = (ModelHost)server.Services.GetService(typeof(ModelHost))!;

        using var hurry = new CancellationTokenSource();
        var stopping = Task.Run(() => server.App.StopAsync(hurry.Token));
        try
        {
            await WaitUntil(() => host.State == ServingState.Draining);

            var readiness = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(30));
            var liveness = await health.CheckAsync(new HealthCheckRequest { Service = "liveness" }, deadline: DateTime.UtcNow.AddSeconds(30));
            var served = await client.GenerateAsync(Requests.Ids(maxNewTokens: 4));

            Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, readiness.Status);
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, liveness.Status);
            Assert.Equal(4, served.TokenIds.Count);
            Assert.False(stopping.IsCompleted);
        }
        finally
        {
            await hurry.CancelAsync();
            await stopping;
        }
        Assert.Equal(ServingState.Stopping, host.State);
    }

    private static ModelHost Host(LoopbackServer server) => (ModelHost)server.Services.GetService(typeof(ModelHost))!;

    private static async Task<ServingStatus> Health(LoopbackServer server) =>
        (await new Health.HealthClient(server.Channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(30))).Status;

    private static async Task<ServingStatus> HealthOrClosed(LoopbackServer server)
    {
        try
        {
            return await Health(server);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
        {
            return ServingStatus.NotServing;
        }
    }

    /// <summary>Waits for a state the test cannot be told about (the host's own transition), polling.</summary>
    private static async Task WaitUntil(Func<bool> condition)
    {
        var until = DateTime.UtcNow.AddMinutes(1);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "timed out");
            await Task.Delay(2);
        }
    }
}
