using Peft.Runtime.Models.Weights;
using static TorchSharp.torch;

namespace Peft.Runtime.Adapters;

/// <summary>
/// PEFT saves full copies of the embedding and the LM head next to the adapter when either is targeted or the
/// vocabulary was resized (save_embedding_layers). A copy equal to the resident base weight changes nothing and is
/// accepted; a different one (new tokens, a retrained head) would need a per-adapter copy of the whole matrix and is
/// refused by name. On an INT8 base "equal" means the copy, loaded in the model dtype, quantizes to the resident
/// matrix (<see cref="IWeightMatrix.Holds"/>): the checkpoint's own tensor does, and serving the adapter changes nothing.
/// </summary>
internal static class BaseCopies
{
    public static void Check(AdapterWeights weights, BaseModel baseModel)
    {
        Check(weights, baseModel, baseModel.EmbeddingPath, baseModel.EmbeddingWeight, "token embedding");
        Check(weights, baseModel, baseModel.Head.Path, baseModel.HeadWeight, "LM head");
    }

    private static void Check(AdapterWeights weights, BaseModel baseModel, string module, IWeightMatrix baseWeight, string what)
    {
        foreach (string key in (string[])[$"base_model.model.{module}.base_layer.weight", $"base_model.model.{module}.weight"])
        {
            if (weights.Shape(key) is not { } shape) continue;
            long[] expected = [baseWeight.Rows, baseWeight.Columns];
            if (!shape.SequenceEqual(expected))
                throw new AdapterLoadException($"adapter '{weights.Files.Name}': tensor '{key}' has shape {AdapterTensors.Shape(shape)}, the base model's {what} {AdapterTensors.Shape(expected)} (a resized vocabulary is not served)");
            using var scope = NewDisposeScope();
            var copy = weights.Take(key, expected);
            bool same = baseWeight.Holds(copy, baseModel.Dtype);
            weights.Drop(copy);
            if (!same)
                throw new AdapterLoadException($"adapter '{weights.Files.Name}': tensor '{key}' differs from the base model's {what}; adapters that change base weights are not served");
        }
    }
}
