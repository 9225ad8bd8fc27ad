using System.Text.Json;
using Peft.Client;
using Peft.Protos.V1;
using Peft.Testing;

namespace Peft.Server.Tests.Support;

/// <summary>The demo task (datasets/demo-task) over gRPC: train through the Training API, follow a job, score a model.</summary>
internal static class DemoTask
{
    public static readonly (string Prompt, string Completion)[] Heldout = Read(Fixtures.DemoTask("heldout.jsonl"));

    /// <summary>The LoRA the demo task's README trains (rank 8, alpha 16, lr 1e-2) for <paramref name="steps"/> steps.</summary>
    public static StartTrainingRequest Lora(string adapterId, uint steps) => new()
    {
        AdapterId = adapterId,
        Lora = new LoraMethod { R = 8, LoraAlpha = 16 },
        Hyperparameters = new TrainingHyperparameters { LearningRate = 1e-2, WarmupSteps = 50, MaxSteps = steps, BatchSize = 16, EvalEvery = 200, Seed = 42 },
    };

    public static async Task<(TrainingJob Final, List<double> EvalLosses)> TrainAsync(PeftClient client, StartTrainingRequest request)
    {
        var job = await client.StartTrainingAsync(request, Fixtures.DemoTask("train.jsonl"), Fixtures.DemoTask("heldout.jsonl"));
        TrainingJob? final = null;
        var evals = new List<double>();
        await foreach (var e in client.WatchTrainingAsync(job.JobId))
        {
            final = e.Job;
            if (e.Progress is { HasEvalLoss: true } p) evals.Add(p.EvalLoss);
        }
        return (final!, evals);
    }

    /// <summary>The task's metric: greedy, at most 4 tokens, stop at EOS or a newline, trimmed text equals the completion.</summary>
    public static async Task<double> ExactMatchAsync(PeftClient client, string adapter)
    {
        var answers = await Task.WhenAll(Heldout.Select(example => client.GenerateAsync(new GenerateRequest
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
