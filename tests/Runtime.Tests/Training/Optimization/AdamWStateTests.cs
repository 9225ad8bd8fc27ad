using Peft.Runtime.Tests.Safetensors;
using Peft.Runtime.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Training.Optimization;

public sealed class AdamWStateTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A small regression problem whose gradients depend on the parameters, so any state difference shows.</summary>
    private sealed class Problem : IDisposable
    {
        private readonly Tensor _x = rand(8, 5, generator: new Generator(7));
        private readonly Tensor _y = rand(8, 3, generator: new Generator(8));

        public Problem(Tensor w, Tensor b)
        {
            W = w;
            B = b;
            Optimizer = new AdamW([W, B], new AdamWOptions { LearningRate = 0.05, WeightDecay = 0.1 });
        }

        public Tensor W { get; }

        public Tensor B { get; }

        public AdamW Optimizer { get; }

        public void Train(int from, int to, LearningRateSchedule schedule)
        {
            for (int step = from; step < to; step++)
            {
                using var scope = NewDisposeScope();
                nn.functional.linear(_x, W, B).sub(_y).pow(2).mean().backward();
                Optimizer.Step(schedule.At(step));
                Optimizer.ZeroGrad();
            }
        }

        public void Dispose()
        {
            Optimizer.Dispose();
            W.Dispose();
            B.Dispose();
            _x.Dispose();
            _y.Dispose();
        }
    }

    private static Tensor Copy(Tensor t) => t.detach().clone().requires_grad_(true);

    [Fact]
    public void Saved_and_restored_state_continues_bit_identically()
    {
        var schedule = LearningRateSchedule.Cosine(0.05, 3, 20);
        using var original = new Problem(rand(3, 5, generator: new Generator(1)).requires_grad_(true), zeros(3).requires_grad_(true));
        original.Train(0, 10, schedule);
        string path = _dir.File("optimizer.safetensors");
        original.Optimizer.SaveState(path);

        // The resumed run gets copies of the parameters as saved and a fresh optimizer that loads the state.
        using var resumed = new Problem(Copy(original.W), Copy(original.B));
        resumed.Optimizer.LoadState(path);
        Assert.Equal(10, resumed.Optimizer.StepCount);
        Assert.Equal(10, resumed.Optimizer.StateOf(1).Step);

        original.Train(10, 20, schedule);
        resumed.Train(10, 20, schedule);

        Assert.Equal(TensorBits.Of(original.W), TensorBits.Of(resumed.W));
        Assert.Equal(TensorBits.Of(original.B), TensorBits.Of(resumed.B));
        Assert.Equal(TensorBits.Of(original.Optimizer.StateOf(0).ExpAvgSq), TensorBits.Of(resumed.Optimizer.StateOf(0).ExpAvgSq));
    }

    [Fact]
    public void A_state_for_other_parameters_is_refused_before_anything_changes()
    {
        using var p = ones(3).requires_grad_(true);
        using var saved = new AdamW([p]);
        string path = _dir.File("state.safetensors");
        saved.SaveState(path);

        using var wider = ones(4).requires_grad_(true);
        using var other = new AdamW([wider]);
        var error = Assert.Throws<InvalidDataException>(() => other.LoadState(path));
        Assert.Contains("state.0.exp_avg", error.Message, StringComparison.Ordinal);

        using var q = ones(3).requires_grad_(true);
        using var two = new AdamW([p, q]);
        Assert.Throws<InvalidDataException>(() => two.LoadState(path));
        Assert.Equal(0, two.StepCount);
    }
}
