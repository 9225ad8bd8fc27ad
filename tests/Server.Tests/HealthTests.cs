using Grpc.Health.V1;
using Peft.Testing;

namespace Peft.Server.Tests;

public sealed class HealthTests
{
    [Fact]
    public async Task The_host_answers_the_standard_health_check_over_loopback()
    {
        await using var server = await LoopbackServer.StartAsync();
        var health = new Health.HealthClient(server.Channel);

        var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10));

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
        Assert.Equal("127.0.0.1", server.Address.Host);
    }
}
