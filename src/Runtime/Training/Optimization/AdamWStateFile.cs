using System.Globalization;
using Peft.Runtime.Safetensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Training.Optimization;

/// <summary>
/// AdamW state as one safetensors file, named like torch's optimizer <c>state_dict</c>: <c>state.{i}.step</c> (I64
/// scalar), <c>state.{i}.exp_avg</c> and <c>state.{i}.exp_avg_sq</c> (the parameter's dtype and shape), with the
/// optimizer's own step count in the metadata. Safetensors rather than pickle, like every file we write.
/// </summary>
internal static class AdamWStateFile
{
    private const string OptimizerKey = "optimizer";
    private const string OptimizerName = "AdamW";
    private const string ParametersKey = "parameters";
    private const string StepCountKey = "step_count";

    public static void Write(string path, long stepCount, long[] steps, Tensor[] expAvg, Tensor[] expAvgSq)
    {
        using var scope = NewDisposeScope();
        var tensors = new List<KeyValuePair<string, Tensor>>(3 * steps.Length);
        for (int i = 0; i < steps.Length; i++)
        {
            tensors.Add(KeyValuePair.Create(StepName(i), tensor(steps[i])));
            tensors.Add(KeyValuePair.Create(ExpAvgName(i), expAvg[i]));
            tensors.Add(KeyValuePair.Create(ExpAvgSqName(i), expAvgSq[i]));
        }
        var metadata = new Dictionary<string, string>
        {
            [OptimizerKey] = OptimizerName,
            [ParametersKey] = steps.Length.ToString(CultureInfo.InvariantCulture),
            [StepCountKey] = stepCount.ToString(CultureInfo.InvariantCulture),
        };
        SafetensorsWriter.Write(path, tensors, metadata);
    }

    /// <summary>Checks the whole file against the optimizer's parameters, then copies it in; returns the step count.</summary>
    public static long Read(string path, long[] steps, Tensor[] expAvg, Tensor[] expAvgSq)
    {
        using var file = SafetensorsFile.Open(path);
        if (!file.Metadata.TryGetValue(OptimizerKey, out string? name) || name != OptimizerName)
            throw new InvalidDataException($"{path}: not an AdamW state file (metadata '{OptimizerKey}' is '{name}')");
        int count = int.Parse(Required(file, path, ParametersKey), CultureInfo.InvariantCulture);
        if (count != steps.Length)
            throw new InvalidDataException($"{path}: holds state for {count} parameters, the optimizer has {steps.Length}");
        long stepCount = long.Parse(Required(file, path, StepCountKey), CultureInfo.InvariantCulture);

        for (int i = 0; i < steps.Length; i++)
        {
            CheckShape(file, path, ExpAvgName(i), expAvg[i]);
            CheckShape(file, path, ExpAvgSqName(i), expAvgSq[i]);
            if (!file.TryGetInfo(StepName(i), out var info) || info.Shape.Length != 0)
                throw new InvalidDataException($"{path}: '{StepName(i)}' is missing or not a scalar");
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        for (int i = 0; i < steps.Length; i++)
        {
            steps[i] = file.Load(StepName(i), ScalarType.Int64).item<long>();
            expAvg[i].copy_(file.Load(ExpAvgName(i), expAvg[i].dtype, expAvg[i].device));
            expAvgSq[i].copy_(file.Load(ExpAvgSqName(i), expAvgSq[i].dtype, expAvgSq[i].device));
        }
        return stepCount;
    }

    private static string StepName(int i) => $"state.{i}.step";

    private static string ExpAvgName(int i) => $"state.{i}.exp_avg";

    private static string ExpAvgSqName(int i) => $"state.{i}.exp_avg_sq";

    private static string Required(SafetensorsFile file, string path, string key) =>
        file.Metadata.TryGetValue(key, out string? value) ? value : throw new InvalidDataException($"{path}: metadata has no '{key}'");

    private static void CheckShape(SafetensorsFile file, string path, string name, Tensor expected)
    {
        if (!file.TryGetInfo(name, out var info))
            throw new InvalidDataException($"{path}: no tensor '{name}'");
        if (!info.Shape.SequenceEqual(expected.shape))
            throw new InvalidDataException(
                $"{path}: '{name}' has shape [{string.Join(", ", info.Shape)}], the parameter has [{string.Join(", ", expected.shape)}]");
    }
}
