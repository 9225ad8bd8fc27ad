using Grpc.Core;
using Grpc.Health.V1;
using Peft.Protos.V1;
using Peft.Server.Hosting;
using Peft.Server.Tests.Support;
using Peft.Testing;

namespace Peft.Server.Tests;

/// <summary>Graceful shutdown: the server leaves Ready (health NOT_SERVING), refuses new calls, and running streams finish.</summary>
public sealed class ShutdownTests
{
    [Fact]
    public async Task Stopping_drains_a_running_stream_to_its_end_and_refuses_new_calls()
    {
        await using var server = await LoopbackServer.StartAsync();
        using var client = server.CreateClient();
        var generation = new Generation.GenerationClient(server.Channel);

        using var running = generation.GenerateStream(Requests.Ids(maxNewTokens: 240));
        Assert.True(await running.ResponseStream.MoveNext(CancellationToken.None));
        var host = (ModelHost)server.Services.GetService(typeof(ModelHost))!;
        var stopping = Task.Run(() => server.App.StopAsync());
        await WaitUntil(() => host.State == ServingState.Stopping);

        // The model host refuses new work as soon as shutdown begins (Kestrel may also refuse the connection).
        var refused = await Assert.ThrowsAsync<RpcException>(() => client.GenerateAsync(Requests.Ids()));
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);

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

    private static async Task WaitUntil(Func<bool> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "timed out");
            await Task.Delay(2);
        }
    }
}
