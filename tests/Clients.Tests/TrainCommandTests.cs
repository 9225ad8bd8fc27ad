using System.Text.Json;
using Peft.Testing;

namespace Peft.Clients.Tests;

/// <summary><c>peft train</c> and <c>peft jobs ...</c> against a real server, through the real command tree.</summary>
public sealed class TrainCommandTests(CliServer fixture) : IClassFixture<CliServer>, IDisposable
{
    private readonly string _data = Path.Combine(Fixtures.TempDirectory("peft-cli-data"), "train.jsonl");

    private Task<(int ExitCode, string Output, string Error)> Run(params string[] args) => CliHarness.RunAsync([.. args, .. fixture.Connection]);

    private void WriteData() => File.WriteAllText(_data, string.Join('\n', Enumerable.Range(0, 24)
        .Select(i => $"{{\"prompt\": \"item {i} =>\", \"completion\": \" {(i % 2 == 0 ? "even" : "odd")}\"}}")));

    [Fact]
    public async Task Train_follows_the_job_with_a_progress_bar_and_a_loss_curve_then_the_adapter_serves()
    {
        WriteData();
        var (code, output, error) = await Run("train", "cli-trained", "--data", _data, "--steps", "6", "--rank", "4", "--lr", "0.01");

        Assert.True(code == 0, error);
        Assert.Contains("step 6/6 loss", error);
        Assert.Contains("] step", error);
        Assert.Matches("loss [▁▂▃▄▅▆▇█]+", error);
        Assert.StartsWith("trained cli-trained (LORA, version ", output);

        var generate = await Run("generate", "item 3 =>", "--adapter", "cli-trained", "--max-new-tokens", "2");
        Assert.True(generate.ExitCode == 0, generate.Error);
    }

    [Fact]
    public async Task Jobs_list_show_and_cancel_speak_json_for_scripts()
    {
        WriteData();
        var start = await Run("train", "cli-long", "--data", _data, "--steps", "100000", "--detach", "--json");
        Assert.True(start.ExitCode == 0, start.Error);
        string jobId = JsonDocument.Parse(start.Output).RootElement.GetProperty("jobId").GetString()!;

        var list = await Run("jobs", "list", "--json");
        Assert.Contains(JsonDocument.Parse(list.Output).RootElement.GetProperty("jobs").EnumerateArray(), j => j.GetProperty("jobId").GetString() == jobId);

        var cancel = await Run("jobs", "cancel", jobId);
        Assert.True(cancel.ExitCode == 0, cancel.Error);
        var watch = await Run("jobs", "watch", jobId);
        Assert.Equal(10, watch.ExitCode);

        var show = await Run("jobs", "show", jobId, "--json");
        Assert.Equal("TRAINING_JOB_STATE_CANCELLED", JsonDocument.Parse(show.Output).RootElement.GetProperty("state").GetString());
        Assert.Equal(4, (await Run("jobs", "show", "job-missing")).ExitCode);
    }

    [Fact]
    public async Task Bad_data_exits_with_the_invalid_argument_code_and_names_the_line()
    {
        File.WriteAllText(_data, "{\"prompt\": \"a\", \"completion\": \" b\"}\n{\"text\": 7}\n");
        var (code, _, error) = await Run("train", "cli-bad", "--data", _data);
        Assert.Equal(5, code);
        Assert.Contains("line 2: field 'text' must be a string", error);
    }

    public void Dispose() => Fixtures.TryDelete(Path.GetDirectoryName(_data)!);
}
