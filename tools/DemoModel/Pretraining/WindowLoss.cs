using Peft.Runtime.Models;
using Peft.Runtime.Models.Attention;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Tools.DemoModel.Pretraining;

/// <summary>Next-token cross-entropy of a model over packed corpus windows (positions 0..L-1 each, causal within each).</summary>
internal static class WindowLoss
{
    /// <summary>Mean over every position of <paramref name="windows"/>, as a scalar tensor (differentiable).</summary>
    public static Tensor Of(CausalLM model, PackedCorpus corpus, int[] windows)
    {
        var (inputs, targets) = corpus.Batch(windows);
        int length = corpus.Context;
        var lengths = Enumerable.Repeat(length, windows.Length).ToArray();
        var batch = new ForwardBatch
        {
            TokenIds = inputs,
            Positions = Positions(length).repeat(windows.Length),
            QueryLengths = lengths,
        };
        var logits = model.Forward(batch, new DenseAttention(lengths));   // [windows·L, vocab]
        return nn.functional.cross_entropy(logits, targets);
    }

    /// <summary>0, 1, ..., length - 1 (arange would make its bounds Scalars inside the call: PEFT001).</summary>
    private static Tensor Positions(int length) => tensor(Enumerable.Range(0, length).Select(i => (long)i).ToArray());

    /// <summary>Mean over all <paramref name="windows"/>, <paramref name="batch"/> windows per forward, without grad.</summary>
    public static double Mean(CausalLM model, PackedCorpus corpus, int[] windows, int batch)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        double total = 0;
        foreach (var chunk in windows.Chunk(batch))
            total += Of(model, corpus, chunk).item<float>() * chunk.Length;
        return total / windows.Length;
    }
}
