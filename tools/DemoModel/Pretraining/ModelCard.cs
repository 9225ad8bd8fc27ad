using System.Globalization;
using System.Text;

namespace Peft.Tools.DemoModel.Pretraining;

/// <summary>The facts of one pretraining run that the model's README.md states: what it is, how and by which command it was made.</summary>
internal sealed record ModelCard(
    LlamaShape Shape,
    PretrainOptions Options,
    PretrainResult Result,
    string Command,
    string Machine,
    long CorpusBytes,
    IReadOnlyList<(string Prompt, string Continuation)> Samples,
    (int Known, int Total) Kinds)
{
    public const string FileName = "README.md";

    public string ToMarkdown()
    {
        var s = Shape;
        var o = Options;
        var r = Result;
        var text = new StringBuilder();
        text.AppendLine("---");
        text.AppendLine("language: en");
        text.AppendLine("library_name: transformers");
        text.AppendLine("pipeline_tag: text-generation");
        text.AppendLine("---");
        text.AppendLine();
        text.AppendLine("# Demo model");
        text.AppendLine();
        text.AppendLine(Invariant($"A tiny Llama-architecture language model ({s.ParameterCount / 1e6:F1}M parameters) that writes simple children's stories."));
        text.AppendLine("It is the model the server runs by default, and the base for its demo adapters. It knows only the generated story");
        text.AppendLine("corpus it was trained on: about 600 words, six kinds of story, facts such as \"A frog is an animal.\"");
        text.AppendLine();
        text.AppendLine("Made from nothing but this repository, on a CPU, by `tools/make-demo-model.sh`, which runs");
        text.AppendLine();
        text.AppendLine("```");
        text.AppendLine(Command);
        text.AppendLine("```");
        text.AppendLine();
        text.AppendLine("after generating the corpus and training the tokenizer with the same tool (see docs/demo-model.md).");
        text.AppendLine();
        text.AppendLine("## Architecture");
        text.AppendLine();
        text.AppendLine("`LlamaForCausalLM`, float32, tied input and output embeddings (no `lm_head.weight` in the checkpoint).");
        text.AppendLine();
        text.AppendLine("| | |");
        text.AppendLine("|---|---|");
        text.AppendLine(Invariant($"| hidden size | {s.HiddenSize} |"));
        text.AppendLine(Invariant($"| layers | {s.NumLayers} |"));
        text.AppendLine(Invariant($"| attention heads / KV heads | {s.NumHeads} / {s.NumKeyValueHeads} (head size {s.HeadDim}) |"));
        text.AppendLine(Invariant($"| MLP intermediate size | {s.IntermediateSize} (SiLU, gated) |"));
        text.AppendLine(Invariant($"| vocabulary | {s.VocabSize} (byte-level BPE; `<s>` = {s.BosTokenId}, `</s>` = {s.EosTokenId}, `<pad>` = {s.PadTokenId}) |"));
        text.AppendLine(Invariant($"| context | {s.MaxPositions} tokens (RoPE θ {LlamaShape.RopeTheta:0}) |"));
        text.AppendLine(Invariant($"| RMSNorm eps | {LlamaShape.RmsNormEps:0e0} |"));
        text.AppendLine(Invariant($"| parameters | {s.ParameterCount:N0} |"));
        text.AppendLine();
        text.AppendLine("## Training");
        text.AppendLine();
        text.AppendLine(Invariant($"Next-token prediction on {CorpusBytes / 1e6:F1} MB of generated stories, documents split on blank lines and wrapped in `<s>` … `</s>`,"));
        text.AppendLine(Invariant($"packed into windows of {s.MaxPositions} tokens. Initial weights normal(0, {LlamaShape.InitializerRange}), norms 1, seed {o.Seed}."));
        text.AppendLine(Invariant($"AdamW (β 0.9/0.999, eps 1e-8, weight decay {o.WeightDecay}), peak learning rate {o.LearningRate:0.0###}, {Math.Min(o.WarmupSteps, r.Steps / 2)} warmup steps"));
        text.AppendLine(Invariant($"then cosine decay to 0, gradient clipping at global norm {o.ClipNorm:0.0#}; batch {o.Batch} × {s.MaxPositions} tokens."));
        text.AppendLine();
        text.AppendLine("| | |");
        text.AppendLine("|---|---|");
        text.AppendLine(Invariant($"| steps | {r.Steps} |"));
        text.AppendLine(Invariant($"| tokens trained on | {r.TrainedTokens:N0} |"));
        text.AppendLine(Invariant($"| training time | {r.Elapsed.TotalSeconds:F0} s ({r.TokensPerSecond:N0} tokens/s) on {Machine} (TorchSharp) |"));
        text.AppendLine(Invariant($"| final training loss | {r.FinalTrainingLoss:F3} (mean of the last steps) |"));
        text.AppendLine(Invariant($"| held-out loss | {r.InitialHeldOutLoss:F3} before training, {r.FinalHeldOutLoss:F3} after |"));
        text.AppendLine(Invariant($"| kinds of things known | {Kinds.Known}/{Kinds.Total}: greedy \"A frog is\" → \" an animal.\" |"));
        text.AppendLine();
        text.AppendLine("## Greedy samples");
        text.AppendLine();
        foreach (var (prompt, continuation) in Samples)
        {
            text.AppendLine("```");
            text.Append(prompt).Append(continuation).AppendLine();
            text.AppendLine("```");
            text.AppendLine();
        }
        text.AppendLine("## Limits");
        text.AppendLine();
        text.AppendLine("A demo, not a language model for use: it has seen only its generated corpus, repeats stock phrases, and");
        text.AppendLine("knows nothing outside that world. It never saw the demo task's `Kind: ... =>` format; adapters teach that.");
        return text.ToString();
    }

    private static string Invariant(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);
}
