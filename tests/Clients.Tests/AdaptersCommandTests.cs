using System.Text.Json;
using Peft.Testing;

namespace Peft.Clients.Tests;

/// <summary><c>peft adapters ...</c> against a real server, through the real command tree.</summary>
public sealed class AdaptersCommandTests(CliServer fixture) : IClassFixture<CliServer>
{
    private Task<(int ExitCode, string Output, string Error)> Run(params string[] args) => CliHarness.RunAsync([.. args, .. fixture.Connection]);

    [Fact]
    public async Task Load_show_list_and_unload_round_trip_as_json()
    {
        var load = await Run("adapters", "load", "cli-prefix", "llama/adapters/prefix", "--json");
        Assert.True(load.ExitCode == 0, load.Error);
        using var loaded = JsonDocument.Parse(load.Output);
        Assert.Equal("PREFIX_TUNING", loaded.RootElement.GetProperty("peftType").GetString());

        var show = await Run("adapters", "show", "cli-prefix", "--json");
        using var shown = JsonDocument.Parse(show.Output);
        Assert.Equal(loaded.RootElement.GetProperty("version").GetString(), shown.RootElement.GetProperty("version").GetString());
        Assert.Equal("ADAPTER_TIER_HOST", shown.RootElement.GetProperty("tier").GetString());

        var list = await Run("adapters", "list", "--json");
        using var listed = JsonDocument.Parse(list.Output);
        Assert.Contains(listed.RootElement.GetProperty("adapters").EnumerateArray(), a => a.GetProperty("adapterId").GetString() == "cli-prefix");

        var unload = await Run("adapters", "unload", "cli-prefix", "--json");
        Assert.True(unload.ExitCode == 0, unload.Error);
        Assert.Equal(0, JsonDocument.Parse(unload.Output).RootElement.GetProperty("requestsInFlight").GetInt32());
        Assert.Equal(4, (await Run("adapters", "show", "cli-prefix")).ExitCode);
    }

    [Fact]
    public async Task Upload_sends_a_local_directory_and_the_text_output_names_it()
    {
        var (code, output, error) = await Run("adapters", "upload", "cli-upload", Fixtures.LlamaAdapter("ptuning"));

        Assert.True(code == 0, error);
        Assert.StartsWith("uploaded cli-upload (P_TUNING, version ", output);

        var list = await Run("adapters", "list");
        Assert.Contains("cli-upload", list.Output);
        Assert.Contains("P_TUNING", list.Output);
        var show = await Run("adapters", "show", "cli-upload");
        Assert.Contains("type:               P_TUNING", show.Output);

        var generate = await Run("generate", "Hello", "-a", "cli-upload", "-n", "3");
        Assert.True(generate.ExitCode == 0, generate.Error);
        Assert.Contains("adapter cli-upload@", generate.Error);
        Assert.Equal(0, (await Run("adapters", "unload", "cli-upload")).ExitCode);
    }

    [Fact]
    public async Task Admin_errors_exit_with_their_documented_codes()
    {
        Assert.Equal(0, (await Run("adapters", "load", "cli-twice", "llama/adapters/prompt")).ExitCode);
        Assert.Equal(9, (await Run("adapters", "load", "cli-twice", "llama/adapters/prompt")).ExitCode);
        Assert.Equal(0, (await Run("adapters", "load", "cli-twice", "llama/adapters/ptuning", "--replace")).ExitCode);
        Assert.Equal(0, (await Run("adapters", "unload", "cli-twice")).ExitCode);

        Assert.Equal(4, (await Run("adapters", "unload", "cli-nobody")).ExitCode);
        Assert.Equal(4, (await Run("adapters", "load", "x", "llama/adapters/none")).ExitCode);
        Assert.Equal(5, (await Run("adapters", "load", "bad id", "llama/adapters/prompt")).ExitCode);
        Assert.Equal(6, (await Run("adapters", "load", "x", "/etc")).ExitCode);
        Assert.Equal(2, (await Run("adapters", "upload", "x", "/no/such/dir")).ExitCode);
        Assert.Equal(1, (await Run("adapters", "upload", "x", Fixtures.LlamaBase)).ExitCode);
    }

    [Fact]
    public async Task Without_the_admin_key_admin_commands_exit_unauthorized()
    {
        var (code, _, error) = await CliHarness.RunAsync("adapters", "list",
            "--address", fixture.Server.Address.ToString(), "--admin-address", fixture.Server.AdminAddress.ToString());

        Assert.Equal(6, code);
        Assert.Contains("Unauthenticated", error);
    }
}
