using System.Text.Json;
using Peft.Runtime.Safetensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Training;

/// <summary>
/// Checkpoints: everything a run needs to continue exactly where it stopped (adapter parameters, optimizer moments,
/// counters, the torch random state that drives dropout), written atomically: a half-written checkpoint is never
/// picked up.
/// </summary>
public sealed partial class AdapterTrainer
{
    private const string ParametersFile = "parameters.safetensors";
    private const string OptimizerFile = "optimizer.safetensors";
    private const string StateFile = "state.json";

    /// <summary>Writes a checkpoint; only between optimizer steps, where no gradient is half accumulated.</summary>
    public void SaveCheckpoint(string directory)
    {
        if (MicroBatches % _options.GradientAccumulation != 0)
            throw new InvalidOperationException("checkpoints are taken between optimizer steps, not in the middle of gradient accumulation");
        string parent = Path.GetDirectoryName(Path.GetFullPath(directory))!;
        Directory.CreateDirectory(parent);
        string staging = Path.Combine(parent, $".{Path.GetFileName(directory)}.partial-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            using (var scope = NewDisposeScope())
            {
                var tensors = Adapter.Parameters.Select((p, i) => KeyValuePair.Create($"param.{i}", p.detach().cpu().contiguous())).ToList();
                tensors.Add(KeyValuePair.Create("torch_rng_state", get_rng_state()));
                SafetensorsWriter.Write(Path.Combine(staging, ParametersFile), tensors);
            }
            _optimizer.SaveState(Path.Combine(staging, OptimizerFile));
            var state = new CheckpointState(Step, MicroBatches, _lossSum, _lossTokens, _tokensProcessed, _clock.Elapsed.TotalSeconds);
            File.WriteAllText(Path.Combine(staging, StateFile), JsonSerializer.Serialize(state));
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
            Directory.Move(staging, directory);
        }
        catch
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            throw;
        }
    }

    /// <summary>Restores a checkpoint written by <see cref="SaveCheckpoint"/> for the same adapter and options.</summary>
    public void LoadCheckpoint(string directory)
    {
        var state = JsonSerializer.Deserialize<CheckpointState>(File.ReadAllText(Path.Combine(directory, StateFile)))
            ?? throw new InvalidDataException($"{directory}: empty checkpoint state");
        using (var scope = NewDisposeScope())
        using (var file = SafetensorsFile.Open(Path.Combine(directory, ParametersFile)))
        using (no_grad())
        {
            for (int i = 0; i < Adapter.Parameters.Count; i++)
            {
                var p = Adapter.Parameters[i];
                var saved = file.Load($"param.{i}", p.dtype, p.device);
                if (!saved.shape.SequenceEqual(p.shape))
                    throw new InvalidDataException($"{directory}: parameter {i} has shape [{string.Join(", ", saved.shape)}], expected [{string.Join(", ", p.shape)}]");
                p.copy_(saved);
            }
            set_rng_state(file.Load("torch_rng_state"));
        }
        _optimizer.LoadState(Path.Combine(directory, OptimizerFile));
        Step = state.Step;
        MicroBatches = state.MicroBatches;
        _lossSum = state.LossSum;
        _lossTokens = state.LossTokens;
        _tokensProcessed = state.TokensProcessed;
        _resumedSeconds = state.ElapsedSeconds;
    }

    private sealed record CheckpointState(int Step, long MicroBatches, double LossSum, long LossTokens, long TokensProcessed, double ElapsedSeconds);
}
