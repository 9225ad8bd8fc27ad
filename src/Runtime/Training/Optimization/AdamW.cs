using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Training.Optimization;

/// <summary>
/// <c>torch.optim.AdamW</c> (single-tensor path, no amsgrad) over plain tensors that require grad: adapter weights, or
/// the base weights when pretraining. The moment tensors are created here, detached from every dispose scope, and
/// disposed with the optimizer; the parameters stay the caller's.
/// </summary>
/// <remarks>
/// Semantics, per parameter p with gradient g (parameters whose grad is null are skipped, as torch does):
/// <code>
/// t += 1
/// p *= 1 - lr * weight_decay                      // decoupled decay, before the update
/// m.lerp_(g, 1 - beta1)                           // m = beta1 m + (1 - beta1) g
/// v = beta2 v + (1 - beta2) g²
/// p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
/// </code>
/// Bias corrections are computed in double, like torch's Python floats; the tensor math runs in the parameter's dtype.
/// </remarks>
public sealed class AdamW : IDisposable
{
    private readonly Tensor[] _parameters;
    private readonly Tensor[] _expAvg;     // like each parameter
    private readonly Tensor[] _expAvgSq;   // like each parameter
    private readonly long[] _steps;
    private bool _disposed;

    public AdamW(IReadOnlyList<Tensor> parameters, AdamWOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Options = options ?? new AdamWOptions();
        Options.Validate();
        for (int i = 0; i < parameters.Count; i++)
        {
            if (!parameters[i].requires_grad)
                throw new ArgumentException($"parameter {i} does not require grad; an optimizer can only update leaf tensors that do", nameof(parameters));
        }

        _parameters = [.. parameters];
        _steps = new long[_parameters.Length];
        _expAvg = new Tensor[_parameters.Length];
        _expAvgSq = new Tensor[_parameters.Length];
        using var scope = NewDisposeScope();
        for (int i = 0; i < _parameters.Length; i++)
        {
            _expAvg[i] = zeros_like(_parameters[i]).DetachFromDisposeScope();
            _expAvgSq[i] = zeros_like(_parameters[i]).DetachFromDisposeScope();
        }
    }

    public AdamWOptions Options { get; }

    public IReadOnlyList<Tensor> Parameters => _parameters;

    /// <summary>Calls to <see cref="Step(double)"/> so far (restored by <see cref="LoadState"/>).</summary>
    public long StepCount { get; private set; }

    /// <summary>The state of parameter <paramref name="index"/> (in constructor order).</summary>
    public AdamWMoments StateOf(int index)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new AdamWMoments(_steps[index], _expAvg[index], _expAvgSq[index]);
    }

    /// <summary>One update with <see cref="AdamWOptions.LearningRate"/>.</summary>
    public void Step() => Step(Options.LearningRate);

    /// <summary>One update of every parameter that has a gradient, at <paramref name="learningRate"/> (a schedule's value for this step).</summary>
    public void Step(double learningRate)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!(learningRate >= 0)) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "must be >= 0");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        for (int i = 0; i < _parameters.Length; i++)
        {
            if (_parameters[i].grad is not { } grad) continue;
            Update(i, grad, learningRate);
        }
        StepCount++;
    }

    /// <summary>Drops every gradient (torch's default <c>set_to_none=True</c>): the next backward writes fresh ones.</summary>
    public void ZeroGrad()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach (var p in _parameters) p.grad = null;
    }

    /// <summary>Writes the step counts and moments to a safetensors file (atomically), for exact resumption.</summary>
    public void SaveState(string path)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        AdamWStateFile.Write(path, StepCount, _steps, _expAvg, _expAvgSq);
    }

    /// <summary>
    /// Replaces the state with one written by <see cref="SaveState"/> for the same parameters (same count, shapes and
    /// order); the next step continues exactly where that optimizer would have. The file is checked before anything
    /// is overwritten.
    /// </summary>
    public void LoadState(string path)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        StepCount = AdamWStateFile.Read(path, _steps, _expAvg, _expAvgSq);
    }

    private void Update(int i, Tensor grad, double lr)
    {
        var p = _parameters[i];
        var m = _expAvg[i];
        var v = _expAvgSq[i];
        long t = ++_steps[i];
        double beta1 = Options.Beta1, beta2 = Options.Beta2;

        // Every Scalar is held by a using: TorchSharp hands only their native handles to the call (see Torch.Scalars).
        using var decay = (1 - lr * Options.WeightDecay).ToScalar();
        using var beta2Scalar = beta2.ToScalar();
        using var oneMinusBeta2 = (1 - beta2).ToScalar();
        p.mul_(decay);
        m.lerp_(grad, tensor(1 - beta1, p.dtype, p.device));
        v.mul_(beta2Scalar).addcmul_(grad, grad, oneMinusBeta2);

        double biasCorrection1 = 1 - Math.Pow(beta1, t);
        using var biasCorrection2Sqrt = Math.Sqrt(1 - Math.Pow(beta2, t)).ToScalar();
        using var epsilon = Options.Epsilon.ToScalar();
        using var stepSize = (-(lr / biasCorrection1)).ToScalar();
        var denominator = v.sqrt().div_(biasCorrection2Sqrt).add_(epsilon, Torch.Scalars.One);
        p.addcdiv_(m, denominator, stepSize);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var t in _expAvg) t.Dispose();
        foreach (var t in _expAvgSq) t.Dispose();
    }
}
