using Microsoft.Extensions.Options;
using Peft.Testing;

namespace Peft.Server.Tests;

/// <summary>Bad configuration stops the start with messages that name the key and the problem.</summary>
public sealed class OptionsTests
{
    [Fact]
    public async Task The_default_model_path_fails_clearly_while_the_demo_model_is_absent()
    {
        // Relative paths resolve against the working directory: the test's bin folder, which has no models/demo.
        var failure = await StartFailure("--Model:Path=models/demo");

        Assert.Contains("Model:Path 'models/demo'", failure);
        Assert.Contains("does not exist", failure);
        Assert.Contains("bundled demo model", failure);
    }

    [Fact]
    public async Task A_directory_without_config_json_is_not_a_model()
    {
        Assert.Contains("no config.json", await StartFailure($"--Model:Path={Fixtures.HfRoot}"));
    }

    [Theory]
    [InlineData("--Model:Device=tpu", "Model:Device")]
    [InlineData("--Model:Dtype=int4", "Model:Dtype")]
    [InlineData("--Model:Quantization=int4", "Model:Quantization")]
    [InlineData("--Server:AdminHost=0.0.0.0", "AllowRemoteAdmin")]
    [InlineData("--Server:ServingPort=70000", "Server:ServingPort")]
    [InlineData("--Server:ServingHost=example", "Server:ServingHost")]
    [InlineData("--Server:ApiKey=test-admin-key", "must differ")]
    [InlineData("--Server:Tls:CertificatePath=/no/such.pfx", "Server:Tls:CertificatePath")]
    [InlineData("--Adapters:Roots:1=/no/such/root", "Adapters:Roots:1")]
    [InlineData("--Adapters:MaxConfigBytes=0", "Adapters:MaxConfigBytes")]
    [InlineData("--Engine:LoraSlots=0", "Engine: LoraSlots")]
    [InlineData("--Engine:KvCacheBytes=-1", "Engine:KvCacheBytes")]
    public async Task Invalid_settings_stop_the_start_naming_the_key(string setting, string named)
    {
        Assert.Contains(named, await StartFailure(setting));
    }

    [Fact]
    public async Task Same_ports_for_two_endpoints_are_refused()
    {
        Assert.Contains("own port", await StartFailure("--Server:ServingPort=50071", "--Server:AdminPort=50071"));
    }

    private static async Task<string> StartFailure(params string[] settings)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => LoopbackServer.StartAsync(Fixtures.LlamaBase, settings));
        return string.Join(Environment.NewLine, error.Failures);
    }
}
