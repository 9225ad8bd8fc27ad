using System.CommandLine;
using Peft.Tools.DemoModel.Generation;
using Peft.Tools.DemoModel.Pretraining;

namespace Peft.Tools.DemoModel.Commands;

/// <summary><c>demo-model sample --model DIR [--prompt TEXT]... [--max-tokens N]</c>: prints greedy continuations.</summary>
internal static class SampleCommand
{
    public static Command Create(TextWriter output)
    {
        var model = new Option<DirectoryInfo>("--model") { Description = "Hugging Face model directory", Required = true };
        var prompts = new Option<string[]>("--prompt") { Description = "Text to continue (repeatable); default: the card's story openings" };
        var maxTokens = new Option<int>("--max-tokens") { Description = "New tokens at most", DefaultValueFactory = _ => DemoPretraining.SampleTokens };

        var command = new Command("sample", "Print the model's greedy continuations of prompts.") { model, prompts, maxTokens };
        command.SetAction(async parse =>
        {
            int limit = parse.GetValue(maxTokens);
            if (limit < 1) throw new ArgumentException($"--max-tokens must be positive, got {limit}.");
            using var opened = ModelDirectory.Open(parse.GetValue(model)!);
            var texts = parse.GetValue(prompts) is { Length: > 0 } given ? given : [.. DemoPretraining.SamplePrompts];
            foreach (string prompt in texts)
                await output.WriteLineAsync($"{prompt}{opened.Decoder.ContinueText(prompt, limit)}\n");
            return DemoModelCli.Ok;
        });
        return command;
    }
}
