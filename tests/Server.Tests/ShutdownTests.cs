using Grpc.Core;
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
