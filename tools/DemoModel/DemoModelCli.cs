using System.CommandLine;
using Peft.Tools.DemoModel.Commands;

namespace Peft.Tools.DemoModel;

/// <summary>
/// The <c>demo-model</c> command tree; each command lives in Commands/. The steps run in this order, each reading the
/// previous one's output: <c>corpus</c> → <c>tokenizer</c> → <c>pretrain</c>; <c>task</c> is independent; <c>sample</c> and
/// <c>score</c> read a finished model directory.
/// See docs/demo-model.md.
/// </summary>
internal static class DemoModelCli
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int Usage = 2;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("Makes the bundled demo model: corpus, tokenizer, pretrained model, demo fine-tuning task.");
        root.Subcommands.Add(CorpusCommand.Create(output));
        root.Subcommands.Add(TokenizerCommand.Create(output));
        root.Subcommands.Add(PretrainCommand.Create(output));
        root.Subcommands.Add(SampleCommand.Create(output));
        root.Subcommands.Add(ScoreCommand.Create(output));
        root.Subcommands.Add(TaskCommand.Create(output));
        root.Subcommands.Add(QuantizationCommand.Create(output));

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors) await error.WriteLineAsync(e.Message);
            return Usage;
        }
        try
        {
            var config = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
            return await parse.InvokeAsync(config);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidDataException)
        {
            await error.WriteLineAsync($"error: {e.Message}");
            return Failure;
        }
    }
}
