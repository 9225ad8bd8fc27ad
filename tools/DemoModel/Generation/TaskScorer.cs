using Peft.Tools.DemoModel.Tasks;
using Peft.Tools.DemoModel.Tokenizer;

namespace Peft.Tools.DemoModel.Generation;

/// <summary>
/// Scores a model on a prompt/completion task the way datasets/demo-task/README.md says: greedy, stop at EOS or a
/// newline, at most <see cref="MaxNewTokens"/> new tokens, exact match after trimming. Since every demo label is one
/// token, also reports how often the first generated token is the label's token.
/// </summary>
internal sealed class TaskScorer(GreedyDecoder decoder, BpeModel tokenizer)
{
    public const int MaxNewTokens = 4;

    public TaskScore Score(IReadOnlyList<TaskExample> examples)
    {
        var predictions = new List<string>(examples.Count);
        int firstTokenCorrect = 0;
        foreach (var example in examples)
        {
            var ids = decoder.Continue(example.Prompt, MaxNewTokens, stop: id => tokenizer.Decode([id]).Contains('\n', StringComparison.Ordinal));
            string text = tokenizer.Decode(ids);
            int newline = text.IndexOf('\n', StringComparison.Ordinal);
            predictions.Add(newline >= 0 ? text[..newline] : text);
            var expected = tokenizer.Encode(example.Completion);
            if (ids.Count > 0 && expected.Count > 0 && ids[0] == expected[0] && expected.Count == 1) firstTokenCorrect++;
        }
        return new TaskScore(ExactMatch.Score(examples, predictions), firstTokenCorrect, predictions);
    }
}

/// <param name="FirstTokenCorrect">Examples whose first greedy token is the (one-token) completion.</param>
internal sealed record TaskScore(ExactMatchScore ExactMatch, int FirstTokenCorrect, IReadOnlyList<string> Predictions)
{
    public double FirstTokenAccuracy => ExactMatch.Total == 0 ? 0 : (double)FirstTokenCorrect / ExactMatch.Total;
}
