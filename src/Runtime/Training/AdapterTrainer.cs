using System.Diagnostics;
using Peft.Runtime.Models;
using Peft.Runtime.Models.Attention;
using Peft.Runtime.Training.Datasets;
using Peft.Runtime.Training.Methods;
using Peft.Runtime.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Training;

/// <summary>
/// Trains one adapter on the frozen resident model, one micro-batch at a time so the engine can interleave the work
/// with serving. Only the adapter's parameters require grad; the base weights are read, never copied or changed.
/// Data order is a seeded shuffle per epoch, so the same seed and data give the same adapter.
/// </summary>
public sealed partial class AdapterTrainer : IDisposable
{
    private const long IgnoreIndex = -100;

    private readonly CausalLM _model;
    private readonly IReadOnlyList<TrainingExample> _train;
    private readonly IReadOnlyList<TrainingExample> _eval;
    private readonly TrainerOptions _options;
    private readonly AdamW _optimizer;
    private readonly LearningRateSchedule _schedule;
    private readonly int _batchesPerEpoch;
    private readonly Stopwatch _clock = new();
    private int[] _order = [];
    private int _epoch = -1;
    private double _lossSum;
    private long _lossTokens;
    private long _tokensProcessed;
    private double _resumedSeconds;

    public AdapterTrainer(CausalLM model, TrainableAdapter adapter, IReadOnlyList<TrainingExample> train, IReadOnlyList<TrainingExample>? eval, TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(adapter);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { } problem) throw new ArgumentException(problem, nameof(options));
        if (train.Count == 0) throw new ArgumentException("the training set is empty", nameof(train));
        _model = model;
        Adapter = adapter;
        _train = train;
        _eval = eval ?? [];
        _options = options;
        _batchesPerEpoch = (train.Count + options.MicroBatchSize - 1) / options.MicroBatchSize;
        int stepsPerEpoch = Math.Max(1, _batchesPerEpoch / options.GradientAccumulation);
        TotalSteps = options.MaxSteps > 0 ? options.MaxSteps : (int)Math.Ceiling(stepsPerEpoch * options.Epochs);
        _optimizer = new AdamW(adapter.Parameters, new AdamWOptions { LearningRate = options.LearningRate, WeightDecay = options.WeightDecay });
        _schedule = new LearningRateSchedule(options.Schedule, options.LearningRate, Math.Min(options.WarmupSteps, TotalSteps), TotalSteps);
    }

    public TrainableAdapter Adapter { get; }

    public int TotalSteps { get; }

    /// <summary>Optimizer steps taken.</summary>
    public int Step { get; private set; }

    /// <summary>Micro-batches consumed since the start (the position in the data stream).</summary>
    public long MicroBatches { get; private set; }

    public bool IsDone => Step >= TotalSteps;

    public double Epoch => (double)MicroBatches / _batchesPerEpoch;

    /// <summary>
    /// Runs one micro-batch forward and backward; every <see cref="TrainerOptions.GradientAccumulation"/> of them,
    /// clips, takes an optimizer step and returns the progress. Returns null between optimizer steps.
    /// </summary>
    public TrainingProgress? RunMicroBatch()
    {
        if (IsDone) throw new InvalidOperationException("training is complete");
        _clock.Start();
        try
        {
            using (var scope = NewDisposeScope())
            {
                Adapter.Training = true;
                var examples = NextMicroBatch();
                var loss = Loss(examples, out long lossTokens);
                using (var accumulation = ((double)_options.GradientAccumulation).ToScalar()) loss.div(accumulation).backward();
                _lossSum += loss.item<float>() * lossTokens;
                _lossTokens += lossTokens;
                _tokensProcessed += examples.Sum(e => e.Length + Adapter.VirtualRows);
            }
            MicroBatches++;
            if (MicroBatches % _options.GradientAccumulation != 0) return null;

            double rate = _schedule.At(Step);
            if (_options.MaxGradNorm > 0) GradientClipping.ClipByGlobalNorm(Adapter.Parameters, _options.MaxGradNorm);
            _optimizer.Step(rate);
            _optimizer.ZeroGrad();
            Step++;
            double trainLoss = _lossSum / Math.Max(1, _lossTokens);
            _lossSum = 0;
            _lossTokens = 0;
            double? evalLoss = _eval.Count > 0 && (IsDone || (_options.EvalEvery > 0 && Step % _options.EvalEvery == 0)) ? Evaluate() : null;
            var elapsed = _clock.Elapsed + TimeSpan.FromSeconds(_resumedSeconds);
            return new TrainingProgress(Step, TotalSteps, Epoch, trainLoss, evalLoss, rate, _tokensProcessed / Math.Max(1e-9, elapsed.TotalSeconds), elapsed);
        }
        finally
        {
            _clock.Stop();
        }
    }

    /// <summary>
    /// The validation loss before any training, as a step-0 progress point (its training loss is NaN: nothing was
    /// trained); null without validation data. For LoRA, whose B starts at zero, this is the base model's loss.
    /// </summary>
    public TrainingProgress? Baseline() =>
        _eval.Count == 0 ? null : new TrainingProgress(0, TotalSteps, 0, double.NaN, Evaluate(), _schedule.At(0), 0, TimeSpan.Zero);

    /// <summary>Mean loss per target token over the validation split (no grad, no dropout).</summary>
    public double Evaluate() => MeanLoss(_eval);

    /// <summary>Mean loss per target token over any examples, as the trainer computes it.</summary>
    public double MeanLoss(IReadOnlyList<TrainingExample> examples)
    {
        ArgumentNullException.ThrowIfNull(examples);
        bool training = Adapter.Training;
        Adapter.Training = false;
        try
        {
            double sum = 0;
            long tokens = 0;
            using var noGrad = no_grad();
            for (int i = 0; i < examples.Count; i += _options.MicroBatchSize)
            {
                using var scope = NewDisposeScope();
                var batch = examples.Skip(i).Take(_options.MicroBatchSize).ToArray();
                var loss = Loss(batch, out long count);
                sum += loss.item<float>() * count;
                tokens += count;
            }
            return sum / Math.Max(1, tokens);
        }
        finally
        {
            Adapter.Training = training;
        }
    }

    /// <summary>Logits [rows, vocab] of a training forward over <paramref name="examples"/> (tests compare them with serving).</summary>
    public Tensor Logits(IReadOnlyList<TrainingExample> examples, out IReadOnlyList<int> realRowStarts)
    {
        ArgumentNullException.ThrowIfNull(examples);
        var (batch, attention, starts) = Build(examples);
        realRowStarts = starts;
        return _model.Forward(batch, attention, Adapter);
    }

    private TrainingExample[] NextMicroBatch()
    {
        int epoch = (int)(MicroBatches / _batchesPerEpoch);
        if (epoch != _epoch)
        {
            _epoch = epoch;
            _order = Enumerable.Range(0, _train.Count).ToArray();
            new Random(unchecked((int)_options.Seed * 7919 + epoch)).Shuffle(_order);
        }
        int first = (int)(MicroBatches % _batchesPerEpoch) * _options.MicroBatchSize;
        return _order.Skip(first).Take(_options.MicroBatchSize).Select(i => _train[i]).ToArray();
    }

    /// <summary>Mean cross-entropy over the loss tokens of the micro-batch.</summary>
    private Tensor Loss(TrainingExample[] examples, out long lossTokens)
    {
        var (batch, attention, starts) = Build(examples);
        var targets = new long[batch.TokenCount];
        Array.Fill(targets, IgnoreIndex);
        lossTokens = 0;
        for (int s = 0; s < examples.Length; s++)
        {
            var e = examples[s];
            for (int i = 0; i + 1 < e.TokenIds.Length; i++)
            {
                if (!e.LossMask[i + 1]) continue;
                targets[starts[s] + i] = e.TokenIds[i + 1];
                lossTokens++;
            }
        }
        var logits = _model.Forward(batch, attention, Adapter);
        return nn.functional.cross_entropy(logits, tensor(targets, device: _model.Device), ignore_index: IgnoreIndex);
    }

    /// <summary>The flattened batch: per sequence [virtual rows][tokens]; positions from the adapter's offset.</summary>
    private (ForwardBatch Batch, DenseAttention Attention, int[] RealStarts) Build(IReadOnlyList<TrainingExample> examples)
    {
        int virtualRows = Adapter.VirtualRows;
        var ids = new List<long>();
        var positions = new List<long>();
        var lengths = new int[examples.Count];
        var sequenceStarts = new int[examples.Count];
        var realStarts = new int[examples.Count];
        int firstPosition = Adapter.PositionOffset - virtualRows;
        for (int s = 0; s < examples.Count; s++)
        {
            sequenceStarts[s] = ids.Count;
            realStarts[s] = ids.Count + virtualRows;
            lengths[s] = virtualRows + examples[s].Length;
            for (int i = 0; i < lengths[s]; i++)
            {
                ids.Add(i < virtualRows ? 0 : examples[s].TokenIds[i - virtualRows]);
                positions.Add(firstPosition + i);
            }
        }
        var batch = new ForwardBatch
        {
            TokenIds = tensor(ids.ToArray(), device: _model.Device),
            Positions = tensor(positions.ToArray(), device: _model.Device),
            QueryLengths = lengths,
        };
        Adapter.BeginBatch(sequenceStarts);
        var attention = new DenseAttention(lengths, (_, layer) => Adapter.Prefix(layer));
        return (batch, attention, realStarts);
    }

    public void Dispose() => _optimizer.Dispose();
}
