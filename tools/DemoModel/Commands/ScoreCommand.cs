using System.CommandLine;
using System.Globalization;
using Peft.Tools.DemoModel.Generation;
using Peft.Tools.DemoModel.Tasks;

namespace Peft.Tools.DemoModel.Commands;

/// <summary>
/// <c>demo-model score --model DIR --task FILE</c>: exact match of greedy completions on a task split, and whether the
/// model knows the kinds of things the demo task asks about (<see cref="KnowledgeProbe"/>).
/// </summary>
internal static class ScoreCommand
{
    public static Command Create(TextWriter output)
    {
        var model = new Option<DirectoryInfo>("--model") { Description = "Hugging Face model directory", Required = true };
        var task = new Option<FileInfo>("--task") { Description = "JSONL file of prompt/completion pairs, e.g. datasets/demo-task/heldout.jsonl", Required = true };
        var show = new Option<int>("--show") { Description = "Print this many predictions", DefaultValueFactory = _ => 5 };

        var command = new Command("score", "Score a model's greedy completions on a task by exact match (datasets/demo-task/README.md).") { model, task, show };
        command.SetAction(async parse =>
        {
            var examples = TaskFiles.Read(parse.GetValue(task)!.FullName);
            using var opened = ModelDirectory.Open(parse.GetValue(model)!);
            var score = new TaskScorer(opened.Decoder, opened.Tokenizer).Score(examples);
            for (int i = 0; i < Math.Min(parse.GetValue(show), examples.Count); i++)
                await output.WriteLineAsync($"{examples[i].Prompt} -> {Quoted(score.Predictions[i])} (expected {Quoted(examples[i].Completion)})");
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"exact match {score.ExactMatch}; first token is the label {score.FirstTokenCorrect}/{score.ExactMatch.Total} ({score.FirstTokenAccuracy:P1})"));
            var (known, things, misses) = new KnowledgeProbe(opened.Decoder).Run();
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"knowledge the task needs: \"A frog is\" -> \" an animal.\" for {known}/{things} things; misses: {string.Join(" | ", misses.Take(parse.GetValue(show)))}"));
            return DemoModelCli.Ok;
        });
        return command;
    }

    private static string Quoted(string text) => $"\"{text.Replace("\n", "\\n", StringComparison.Ordinal)}\"";
}
