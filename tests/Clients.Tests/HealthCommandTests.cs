using System.Net;
using System.Net.Sockets;
using Peft.Testing;

namespace Peft.Clients.Tests;

public sealed class HealthCommandTests
{
    [Fact]
    public async Task Health_prints_serving_and_exits_zero_against_a_live_server()
    {
        await using var server = await LoopbackServer.StartAsync();

        var (code, output, error) = await CliHarness.RunAsync("health", "--address", server.Address.ToString(), "--json");

        Assert.True(code == 0, error);
        Assert.Equal("{\"status\":\"SERVING\"}", output.Trim());
    }

    [Fact]
    public async Task Health_against_a_closed_port_exits_with_the_unavailable_code()
    {
        var (code, _, error) = await CliHarness.RunAsync("health", "--address", $"http://127.0.0.1:{ClosedPort()}");

        Assert.Equal(3, code);
        Assert.Contains("Unavailable", error);
    }

    [Fact]
    public async Task An_unknown_option_is_a_usage_error()
    {
        var (code, _, error) = await CliHarness.RunAsync("health", "--no-such-option");

        Assert.Equal(2, code);
        Assert.Contains("--no-such-option", error);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
