using Peft.Runtime.Tests.Torch;
using Peft.Runtime.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Training.Optimization;

public sealed class AdamWTests
{
    private static Tensor Parameter(params float[] values) => tensor(values).requires_grad_(true);

    /// <summary>Sets p.grad to <paramref name="values"/> through a real backward: loss = Σ p·g.</summary>
    private static void SetGradient(Tensor p, float[] values)
    {
        using var scope = NewDisposeScope();
        p.mul(tensor(values)).sum().backward();
    }

    [Fact]
    public void Steps_match_torchs_AdamW_update_written_out_in_double()
    {
        float[] start = [0.5f, -1.25f, 2.0f, 0.0f, -0.03f];
        float[][] gradients = [[0.1f, -0.2f, 3.0f, 0.0f, -1e-3f], [-0.4f, 0.25f, 2.5f, 1e-4f, 0.5f], [0.3f, 0.3f, -0.1f, -2f, 0.02f]];
        var options = new AdamWOptions { LearningRate = 0.05, WeightDecay = 0.1 };
        using var p = Parameter(start);
        using var optimizer = new AdamW([p], options);

        double[] expected = [.. start.Select(x => (double)x)];
        var m = new double[start.Length];
        var v = new double[start.Length];
        for (int t = 1; t <= gradients.Length; t++)
        {
            SetGradient(p, gradients[t - 1]);
            optimizer.Step();
            optimizer.ZeroGrad();

            double lr = options.LearningRate;
            for (int i = 0; i < start.Length; i++)
            {
                double g = gradients[t - 1][i];
                expected[i] *= 1 - lr * options.WeightDecay;
                m[i] = options.Beta1 * m[i] + (1 - options.Beta1) * g;
                v[i] = options.Beta2 * v[i] + (1 - options.Beta2) * g * g;
                double mHat = m[i] / (1 - Math.Pow(options.Beta1, t));
                double vHat = v[i] / (1 - Math.Pow(options.Beta2, t));
                expected[i] -= lr * mHat / (Math.Sqrt(vHat) + options.Epsilon);
            }
            var actual = p.data<float>().ToArray();
            for (int i = 0; i < start.Length; i++)
                Assert.True(Math.Abs(actual[i] - expected[i]) < 1e-6, $"step {t}, element {i}: {actual[i]} vs {expected[i]}");
        }
        Assert.Equal(3, optimizer.StepCount);
        Assert.Equal(3, optimizer.StateOf(0).Step);
    }

    [Fact]
    public void Defaults_are_torchs()
    {
        var options = new AdamWOptions();
        Assert.Equal((1e-3, 0.9, 0.999, 1e-8, 0.01), (options.LearningRate, options.Beta1, options.Beta2, options.Epsilon, options.WeightDecay));
    }

    [Fact]
    public void Converges_on_a_quadratic()
    {
        float[] target = [1f, -2f, 3f, 0.5f, -0.25f, 4f];
        using var p = Parameter(new float[target.Length]);
        using var goal = tensor(target);
        using var optimizer = new AdamW([p], new AdamWOptions { WeightDecay = 0 });
        var schedule = LearningRateSchedule.Cosine(0.1, warmupSteps: 10, totalSteps: 400);

        for (int step = 0; step < schedule.TotalSteps; step++)
        {
            using var scope = NewDisposeScope();
            p.sub(goal).pow(2).sum().backward();
            optimizer.Step(schedule.At(step));
            optimizer.ZeroGrad();
        }

        var result = p.data<float>().ToArray();
        for (int i = 0; i < target.Length; i++) Assert.Equal(target[i], result[i], 0.01f);
    }

    [Fact]
    public void Weight_decay_is_decoupled_from_the_gradient()
    {
        float[] start = [2f, -3f, 0.5f];
        float[] gradient = [10f, -0.01f, 1f];
        using var decayed = Parameter(start);
        using var plain = Parameter(start);
        using var withDecay = new AdamW([decayed], new AdamWOptions { LearningRate = 0.1, WeightDecay = 0.5 });
        using var without = new AdamW([plain], new AdamWOptions { LearningRate = 0.1, WeightDecay = 0 });

        SetGradient(decayed, gradient);
        SetGradient(plain, gradient);
        withDecay.Step();
        without.Step();

        // Decoupled: the decay is lr·wd·p whatever the gradient's size, not a term added to the gradient (which Adam
        // would normalise away), and the moments never see it.
        var a = decayed.data<float>().ToArray();
        var b = plain.data<float>().ToArray();
        for (int i = 0; i < start.Length; i++) Assert.Equal(0.1 * 0.5 * start[i], b[i] - a[i], 1e-6);
        Assert.Equal(TensorBits.Of(withDecay.StateOf(0).ExpAvg), TensorBits.Of(without.StateOf(0).ExpAvg));
        Assert.Equal(TensorBits.Of(withDecay.StateOf(0).ExpAvgSq), TensorBits.Of(without.StateOf(0).ExpAvgSq));
    }

    [Fact]
    public void A_parameter_without_gradient_is_left_alone_and_its_step_not_counted()
    {
        using var used = Parameter(1f, 2f);
        using var unused = Parameter(3f, 4f);
        using var optimizer = new AdamW([used, unused], new AdamWOptions { LearningRate = 0.1 });

        SetGradient(used, [1f, 1f]);
        optimizer.Step();

        Assert.Equal([3f, 4f], unused.data<float>().ToArray());
        Assert.Equal((1, 0), (optimizer.StateOf(0).Step, optimizer.StateOf(1).Step));
        Assert.Equal(1, optimizer.StepCount);
    }

    [Fact]
    public void ZeroGrad_drops_the_gradients()
    {
        using var p = Parameter(1f, 2f);
        using var optimizer = new AdamW([p]);
        SetGradient(p, [1f, 1f]);

        optimizer.ZeroGrad();

        using var grad = p.grad;
        Assert.Null(grad);
    }

    [Fact]
    public void Refuses_tensors_that_do_not_require_grad_and_bad_options()
    {
        using var frozen = tensor(new[] { 1f });
        Assert.Throws<ArgumentException>(() => new AdamW([frozen]));
        using var p = Parameter(1f);
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW([p], new AdamWOptions { Beta2 = 1.0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW([p], new AdamWOptions { LearningRate = -1 }));
    }

    [Fact]
    public void Many_steps_leave_the_live_tensor_count_flat()
    {
        long before = 0, after = 0;
        OwnThread.Run(() =>
        {
            using var w = randn(16, 8).requires_grad_(true);
            using var b = zeros(16).requires_grad_(true);
            using var x = randn(4, 8);
            using var optimizer = new AdamW([w, b]);
            var schedule = LearningRateSchedule.Linear(1e-2, 5, 200);

            void TrainStep(int step)
            {
                using var scope = NewDisposeScope();
                nn.functional.linear(x, w, b).tanh().pow(2).mean().backward();
                GradientClipping.ClipByGlobalNorm([w, b], 1.0);
                optimizer.Step(schedule.At(step));
                optimizer.ZeroGrad();
            }

            TrainStep(0);
            before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            for (int step = 1; step < 200; step++) TrainStep(step);
            after = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        });

        Assert.Equal(before, after);
    }
}
