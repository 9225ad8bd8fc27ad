using System.CommandLine;
using Peft.Tools.DemoModel.Tasks;

namespace Peft.Tools.DemoModel.Commands;

/// <summary><c>demo-model task --out DIR --seed S [--chat]</c>: writes the demo fine-tuning task's train and held-out
/// splits, as plain prompts or (<c>--chat</c>) as the chat template's rendering of a user message.</summary>
internal static class TaskCommand
{
    public static Command Create(TextWriter output)
    {
        var outDir = new Option<DirectoryInfo>("--out") { Description = "Directory for train.jsonl and heldout.jsonl", Required = true };
        var seed = new Option<ulong>("--seed") { Description = "Generator seed", DefaultValueFactory = _ => 1 };
        var train = new Option<int>("--train") { Description = "Training examples", DefaultValueFactory = _ => KindOfThingTask.DefaultTrainCount };
        var heldout = new Option<int>("--heldout") { Description = "Held-out examples", DefaultValueFactory = _ => KindOfThingTask.DefaultHeldoutCount };
        var chat = new Option<bool>("--chat") { Description = "Prompts as the demo chat template renders a user message (datasets/demo-chat)" };

        var command = new Command("task", "Generate the demo fine-tuning task (kind of thing) as JSONL splits.") { outDir, seed, train, heldout, chat };
        command.SetAction(async parse =>
        {
            var splits = KindOfThingTask.Generate(parse.GetValue(seed), parse.GetValue(train), parse.GetValue(heldout));
            if (parse.GetValue(chat)) splits = ChatTask.ToChat(splits);
            var directory = parse.GetValue(outDir)!;
            TaskFiles.Save(directory, splits);
            await output.WriteLineAsync($"wrote {splits.Train.Count} training and {splits.Heldout.Count} held-out examples to {directory.FullName}");
            return DemoModelCli.Ok;
        });
        return command;
    }
}
