using System.Text.Json;

namespace Peft.Clients.Tests;

/// <summary><c>peft generate</c> against a real server, through the real command tree.</summary>
public sealed class GenerateCommandTests(CliServer fixture) : IClassFixture<CliServer>
{
    private Task<(int ExitCode, string Output, string Error)> Run(params string[] args) => CliHarness.RunAsync([.. args, .. fixture.Connection]);

    [Fact]
    public async Task Generate_streams_the_text_and_reports_usage_on_stderr()
    {
        var (code, output, error) = await Run("generate", "Once upon a time", "-n", "12", "--ignore-eos");

        Assert.True(code == 0, error);
        var expected = await fixture.Server.CreateClient().GenerateAsync(new Protos.V1.GenerateRequest
        {
            Text = "Once upon a time", Sampling = new Protos.V1.SamplingParams { MaxNewTokens = 12, IgnoreEos = true },
        });
        Assert.Equal(expected.Text + Environment.NewLine, output);
        Assert.Contains($"[length; {expected.Usage.PromptTokens} prompt + 12 completion tokens]", error);
    }

    [Fact]
    public async Task Generate_json_prints_one_object_with_tokens_finish_reason_usage_and_adapter_version()
    {
        await fixture.Server.CreateClient().LoadAdapterAsync("cli-lora", "llama/adapters/lora_qv", replace: true);

        var (code, output, error) = await Run("generate", "--token-ids", "1, 17,42 99", "--adapter", "cli-lora", "-n", "5", "--ignore-eos",
            "--logprobs", "2", "--json");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(5, root.GetProperty("tokenIds").GetArrayLength());
        Assert.Equal("FINISH_REASON_LENGTH", root.GetProperty("finishReason").GetString());
        Assert.Equal(4, root.GetProperty("usage").GetProperty("promptTokens").GetInt32());
        Assert.Equal("cli-lora", root.GetProperty("adapterId").GetString());
        Assert.Equal(fixture.Server.Model.Registry.Get("cli-lora").ContentHash, root.GetProperty("adapterVersion").GetString());
        Assert.Equal(5, root.GetProperty("logprobs").GetArrayLength());
        Assert.Equal(2, root.GetProperty("logprobs")[0].GetProperty("top").GetArrayLength());
    }

    [Fact]
    public async Task Sampling_flags_reach_the_server()
    {
        string[] seeded = ["generate", "Hello", "-n", "10", "--ignore-eos", "--temperature", "0.8", "--top-k", "50", "--top-p", "0.9",
            "--seed", "7", "--repetition-penalty", "1.1", "--json"];

        var first = await Run(seeded);
        var second = await Run(seeded);

        Assert.True(first.ExitCode == 0, first.Error);
        Assert.Equal(first.Output, second.Output);
    }

    [Theory]
    [InlineData(4, "generate", "hi", "--adapter", "no-such-adapter")]
    [InlineData(5, "generate", "hi", "--temperature", "-1")]
    [InlineData(5, "generate", "--token-ids", "1,999")]
    [InlineData(2, "generate", "hi", "--token-ids", "1,2")]
    [InlineData(2, "generate")]
    [InlineData(2, "generate", "--token-ids", "1,x")]
    public async Task Errors_exit_with_their_documented_code(int expected, params string[] args)
    {
        var (code, _, error) = await Run(args);

        Assert.True(code == expected, $"exit {code}: {error}");
        Assert.StartsWith("error: ", error);
    }

    [Fact]
    public async Task A_deadline_that_passes_exits_with_the_deadline_code()
    {
        // The engine is held after the request's first token until the command has exited, so the request cannot
        // finish before its deadline however fast the server is.
        using var hold = fixture.Server.EngineHooks.HoldAfterTokens(1);

        var (code, _, error) = await Run("generate", "--token-ids", "1,2,3", "-n", "240", "--ignore-eos", "--timeout", "0.5");

        Assert.True(code == 8, $"exit {code}: {error}");
        Assert.Contains("DeadlineExceeded", error);
    }
}
