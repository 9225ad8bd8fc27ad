using System.Text.Json;
using Peft.Protos.V1;
using Peft.Server.Tests.Support;
using Peft.Testing;
using Xunit.Abstractions;

namespace Peft.Server.Tests;

public sealed class DemoTaskServer : SharedServer
{
    protected override string? ModelDirectory => Fixtures.DemoModel;

    protected override string[] Arguments => ["--Engine:KvCacheBytes=33554432"];
}

/// <summary>
/// The product's promise end to end over gRPC: train adapters on the served demo model through the Training API,
/// watch them to completion, and serve them at once. The demo task (datasets/demo-task) asks for the kind of the one
/// thing a sentence names; the base model has never seen the format.
/// </summary>
public sealed class DemoTaskTests(DemoTaskServer fixture, ITestOutputHelper log) : IClassFixture<DemoTaskServer>
{
    private static readonly (string Prompt, string Completion)[] Heldout = Read(Fixtures.DemoTask("heldout.jsonl"));

    [Fact]
    public async Task A_lora_trained_through_the_api_gets_the_held_out_split_right_where_the_base_model_does_not()
    {
        double baseScore = await ExactMatchAsync(adapter: "");

        var request = new StartTrainingRequest
        {
            AdapterId = "demo-kind",
            Lora = new LoraMethod { R = 8, LoraAlpha = 16 },
            Hyperparameters = new TrainingHyperparameters { LearningRate = 1e-2, WarmupSteps = 50, MaxSteps = 1200, BatchSize = 16, EvalEvery = 200, Seed = 42 },
        };
        var job = await fixture.Client.StartTrainingAsync(request, Fixtures.DemoTask("train.jsonl"), Fixtures.DemoTask("heldout.jsonl"));
        var (final, evals) = await FollowAsync(job.JobId);
        Assert.Equal(TrainingJobState.Succeeded, final.State);

        double adapterScore = await ExactMatchAsync(adapter: "demo-kind");
        log.WriteLine($"demo task exact match: base {baseScore:P1}, LoRA {adapterScore:P1}; held-out loss {string.Join(" → ", evals.Select(e => e.ToString("F4")))}");
        Assert.True(baseScore <= 0.10, $"base model scores {baseScore:P1}");
        Assert.True(adapterScore >= 0.90, $"the trained LoRA scores {adapterScore:P1}");
    }

    [Theory]
    [InlineData("prompt")]
    [InlineData("prefix")]
    public async Task Prompt_and_prefix_tuning_trained_through_the_api_lower_the_held_out_loss(string method)
    {
        var request = new StartTrainingRequest
        {
            AdapterId = $"demo-{method}",
            Hyperparameters = new TrainingHyperparameters { MaxSteps = 200, BatchSize = 16, EvalEvery = 100, Seed = 42 },
        };
        if (method == "prompt") request.PromptTuning = new PromptTuningMethod { NumVirtualTokens = 8, InitText = "Kind of thing:" };
        else request.PrefixTuning = new PrefixTuningMethod { NumVirtualTokens = 8 };
        var job = await fixture.Client.StartTrainingAsync(request, Fixtures.DemoTask("train.jsonl"), Fixtures.DemoTask("heldout.jsonl"));
        var (final, evals) = await FollowAsync(job.JobId);
        Assert.Equal(TrainingJobState.Succeeded, final.State);

        double score = await ExactMatchAsync(adapter: request.AdapterId);
        log.WriteLine($"{method} tuning: held-out loss {string.Join(" → ", evals.Select(e => e.ToString("F4")))}, exact match {score:P1}");
        Assert.True(evals[^1] < 0.5 * evals[0], $"held-out loss {evals[0]:F4} → {evals[^1]:F4}");
    }

    private async Task<(TrainingJob Final, List<double> EvalLosses)> FollowAsync(string jobId)
    {
        TrainingJob? final = null;
        var evals = new List<double>();
        await foreach (var e in fixture.Client.WatchTrainingAsync(jobId))
        {
            final = e.Job;
            if (e.Progress is { HasEvalLoss: true } p) evals.Add(p.EvalLoss);
        }
        return (final!, evals);
    }

    /// <summary>The task's metric: greedy, at most 4 tokens, stop at EOS or a newline, trimmed text equals the completion.</summary>
    private async Task<double> ExactMatchAsync(string adapter)
    {
        var answers = await Task.WhenAll(Heldout.Select(example => fixture.Client.GenerateAsync(new GenerateRequest
        {
            AdapterId = adapter,
            Text = example.Prompt,
            Sampling = new SamplingParams { MaxNewTokens = 4, Stop = { "\n" } },
        })));
        return (double)answers.Zip(Heldout).Count(p => p.First.Text.Trim() == p.Second.Completion.Trim()) / Heldout.Length;
    }

    private static (string, string)[] Read(string path) => File.ReadLines(path).Where(l => l.Length > 0).Select(l =>
    {
        using var doc = JsonDocument.Parse(l);
        return (doc.RootElement.GetProperty("prompt").GetString()!, doc.RootElement.GetProperty("completion").GetString()!);
    }).ToArray();
}
