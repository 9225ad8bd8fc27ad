namespace Peft.Tools.DemoModel.Tasks;

/// <summary>
/// The demo task's metric: a prediction counts when it equals the expected completion after trimming white space at
/// both ends (the leading space of " animal" is tokenization, not content). Ordinal, case-sensitive, nothing else
/// forgiven: " animals" or " animal." are wrong. The generator should stop at EOS or a newline.
/// </summary>
internal static class ExactMatch
{
    public static bool IsMatch(string expected, string predicted) =>
        string.Equals(expected.Trim(), predicted.Trim(), StringComparison.Ordinal);

    public static ExactMatchScore Score(IReadOnlyList<TaskExample> examples, IReadOnlyList<string> predictions)
    {
        if (examples.Count != predictions.Count)
            throw new ArgumentException($"{examples.Count} examples but {predictions.Count} predictions.", nameof(predictions));
        int correct = 0;
        for (int i = 0; i < examples.Count; i++)
        {
            if (IsMatch(examples[i].Completion, predictions[i])) correct++;
        }
        return new ExactMatchScore(correct, examples.Count);
    }
}

internal readonly record struct ExactMatchScore(int Correct, int Total)
{
    public double Accuracy => Total == 0 ? 0 : (double)Correct / Total;

    public override string ToString() => $"{Correct}/{Total} ({Accuracy:P1})";
}
