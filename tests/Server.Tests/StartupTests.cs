using System.Net;
using System.Net.Sockets;
using Peft.Testing;

namespace Peft.Server.Tests;

/// <summary>
/// Start-up as an operator meets it (ServerApp.RunAsync, the process's entry point): --help prints the settings
/// and starts nothing; a bad option, an unknown key or a port in use exits 2 with one line per problem, no trace.
/// </summary>
public sealed class StartupTests
{
    private static readonly string[] Base = [$"--Model:Path={Fixtures.LlamaBase}", "--Model:Device=cpu", "--Server:ServingPort=0", "--Server:AdminPort=0", "--Server:MetricsPort=0"];

    private static async Task<(int Code, string Output, string Error)> Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = await ServerApp.RunAsync([.. Base, .. args], output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("--help", "--port", "5000")]
    [InlineData("--port", "5000", "-h")]
    public async Task Help_prints_every_section_and_short_form_and_starts_nothing(params string[] args)
    {
        var (code, output, error) = await Run(args);
        Assert.Equal(0, code);
        Assert.Equal("", error);
        foreach (string expected in (string[])["--threads", "--data-root", "--jobs-dir", "Engine:MaxPromptBytes", "Training:DataRoot", "Server:AdminApiKey"])
            Assert.Contains(expected, output);
    }

    [Theory]
    [InlineData("Model:Bogus", "--Model:Bogus=1")]
    [InlineData("Server:Bogus", "--Server:Bogus=1")]
    [InlineData("Server:Tls:Nope", "--Server:Tls:Nope=x")]
    [InlineData("--prot", "--prot", "5000")]
    [InlineData("--port needs a value", "--port", "--admin-port", "5")]
    public async Task An_unknown_option_or_key_exits_2_naming_it(string named, params string[] args)
    {
        var (code, _, error) = await Run(args);
        Assert.Equal(2, code);
        Assert.Contains(named, error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public async Task Every_problem_gets_its_own_line()
    {
        var (code, _, error) = await Run("--Model:Bogus=1", "--Engine:Nope=2");
        Assert.Equal(2, code);
        Assert.Equal(3, error.Trim().Split('\n').Length);
    }

    [Fact]
    public async Task A_port_in_use_exits_2_in_one_line()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var (code, _, error) = await Run($"--Server:ServingPort={port}", $"--Adapters:StoreDirectory={Path.Combine(Path.GetTempPath(), $"peft-store-{Guid.NewGuid():N}")}");

        Assert.Equal(2, code);
        Assert.Contains($"{port}", error);
        Assert.Contains("already in use", error);
        Assert.DoesNotContain("   at ", error);
    }
}
