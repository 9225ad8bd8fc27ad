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
    [Fact]
    public async Task A_lora_trained_through_the_api_gets_the_held_out_split_right_where_the_base_model_does_not()
    {
        double baseScore = await ExactMatchAsync(adapter: "");

        var (final, evals) = await DemoTask.TrainAsync(fixture.Client, DemoTask.Lora("demo-kind", steps: 1200));
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
        var (final, evals) = await DemoTask.TrainAsync(fixture.Client, request);
        Assert.Equal(TrainingJobState.Succeeded, final.State);

        double score = await ExactMatchAsync(adapter: request.AdapterId);
        log.WriteLine($"{method} tuning: held-out loss {string.Join(" → ", evals.Select(e => e.ToString("F4")))}, exact match {score:P1}");
        Assert.True(evals[^1] < 0.5 * evals[0], $"held-out loss {evals[0]:F4} → {evals[^1]:F4}");
    }

    private Task<double> ExactMatchAsync(string adapter) => DemoTask.ExactMatchAsync(fixture.Client, adapter);
}
