using System.Diagnostics;
using System.Globalization;
using Peft.Runtime.Models;
using Peft.Runtime.Models.Attention;
using Peft.Runtime.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Tools.DemoModel.Pretraining;

/// <summary>
/// Full pretraining of a loaded model's own weights on next-token prediction: the only place the base model trains.
/// Each step runs <c>model.Forward</c> over a flattened batch of packed windows (positions 0..L-1 each, dense causal
/// attention within each window), cross-entropy over every row, backward, global-norm clipping, AdamW at the
/// warmup-then-cosine rate. Every step runs in its own dispose scope.
/// </summary>
internal sealed class Pretrainer(CausalLM model, PackedCorpus corpus, PretrainOptions options, TextWriter log)
{
    /// <summary>Steps timed before a <see cref="PretrainOptions.TimeBudget"/> fixes the run's length.</summary>
    private const int CalibrationSteps = 5;

    private const int LossWindow = 20;

    public PretrainResult Run()
    {
        options.Validate();
        var parameters = model.Weights.Select(w => w.Tensor).ToList();
        foreach (var p in parameters) p.requires_grad_(true);
        using var optimizer = new AdamW(parameters, new AdamWOptions { LearningRate = options.LearningRate, WeightDecay = options.WeightDecay });
        var sampler = new WindowSampler(corpus.WindowCount, options.HeldOutWindows, options.Seed);

        double initialHeldOut = HeldOutLoss([.. sampler.HeldOut]);
        log.WriteLine(Invariant($"{corpus.TokenCount:N0} tokens in {corpus.DocumentCount:N0} documents, {sampler.TrainingWindows:N0} training windows of {corpus.Context}; held-out loss before training {initialHeldOut:F3}"));

        int totalSteps = options.Steps;
        var schedule = Schedule(totalSteps);
        var recentLosses = new Queue<double>();
        var clock = Stopwatch.StartNew();
        var sinceLog = Stopwatch.StartNew();
        long tokensPerStep = (long)options.Batch * corpus.Context;
        int step = 0;
        for (; step < totalSteps; step++)
        {
            double learningRate = schedule.At(step);
            var (loss, norm) = TrainStep(optimizer, sampler.Next(options.Batch), learningRate);
            recentLosses.Enqueue(loss);
            if (recentLosses.Count > LossWindow) recentLosses.Dequeue();

            if (step + 1 == CalibrationSteps && options.TimeBudget is { } budget)
            {
                totalSteps = FitToBudget(budget, clock.Elapsed / CalibrationSteps);
                schedule = Schedule(totalSteps);
            }
            if ((step + 1) % options.LogEvery == 0 || step + 1 == totalSteps)
            {
                double perSecond = tokensPerStep * Math.Min(options.LogEvery, step + 1) / sinceLog.Elapsed.TotalSeconds;
                log.WriteLine(Invariant($"step {step + 1,5}/{totalSteps}  loss {loss:F4}  lr {learningRate:E2}  grad norm {norm:F3}  {perSecond:N0} tokens/s  epoch {sampler.Epoch}"));
                sinceLog.Restart();
            }
        }
        var elapsed = clock.Elapsed;

        double finalHeldOut = HeldOutLoss([.. sampler.HeldOut]);
        var result = new PretrainResult(step, step * tokensPerStep, recentLosses.Average(), initialHeldOut, finalHeldOut, elapsed);
        log.WriteLine(Invariant($"trained {result.Steps} steps ({result.TrainedTokens:N0} tokens) in {elapsed.TotalSeconds:F1} s, {result.TokensPerSecond:N0} tokens/s; training loss {result.FinalTrainingLoss:F4} (mean of last {recentLosses.Count}), held-out loss {finalHeldOut:F4}"));
        return result;
    }

    private (double Loss, double GradNorm) TrainStep(AdamW optimizer, int[] windows, double learningRate)
    {
        using var scope = NewDisposeScope();
        var loss = Loss(windows);
        loss.backward();
        double norm = GradientClipping.ClipByGlobalNorm(optimizer.Parameters, options.ClipNorm);
        optimizer.Step(learningRate);
        optimizer.ZeroGrad();
        return (loss.item<float>(), norm);
    }

    private Tensor Loss(int[] windows) => WindowLoss.Of(model, corpus, windows);

    private double HeldOutLoss(int[] windows) => WindowLoss.Mean(model, corpus, windows, options.Batch);

    private LearningRateSchedule Schedule(int totalSteps) =>
        LearningRateSchedule.Cosine(options.LearningRate, Math.Min(options.WarmupSteps, totalSteps / 2), totalSteps);

    private int FitToBudget(TimeSpan budget, TimeSpan perStep)
    {
        int fitting = (int)Math.Floor(budget / perStep);
        int steps = Math.Clamp(fitting, CalibrationSteps, options.Steps);
        log.WriteLine(Invariant($"{perStep.TotalSeconds:F2} s per step: {steps} steps fit in {budget.TotalMinutes:G3} minutes (asked for {options.Steps})"));
        return steps;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
