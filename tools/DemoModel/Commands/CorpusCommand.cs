using System.CommandLine;
using System.Diagnostics;
using Peft.Tools.DemoModel.Corpus;

namespace Peft.Tools.DemoModel.Commands;

/// <summary><c>demo-model corpus --out FILE --size-mb N --seed S</c>: writes the generated pretraining text.</summary>
internal static class CorpusCommand
{
    public static Command Create(TextWriter output)
    {
        var outFile = new Option<FileInfo>("--out") { Description = "Text file to write", Required = true };
        var sizeMb = new Option<double>("--size-mb") { Description = "Size in MB (10^6 bytes); whole documents, so slightly more", DefaultValueFactory = _ => 10 };
        var seed = new Option<ulong>("--seed") { Description = "Generator seed; the same seed gives the same bytes", DefaultValueFactory = _ => 1 };

        var command = new Command("corpus", "Generate the story corpus the demo model is pretrained on.") { outFile, sizeMb, seed };
        command.SetAction(async parse =>
        {
            var file = parse.GetValue(outFile)!;
            double mb = parse.GetValue(sizeMb);
            if (!(mb > 0)) throw new ArgumentException($"--size-mb must be positive, got {mb}.");
            file.Directory?.Create();

            var clock = Stopwatch.StartNew();
            long bytes;
            await using (var stream = file.Create())
                bytes = CorpusWriter.Write(stream, new CorpusGenerator(parse.GetValue(seed)), (long)(mb * 1_000_000));
            double seconds = clock.Elapsed.TotalSeconds;
            await output.WriteLineAsync($"wrote {bytes:N0} bytes to {file.FullName} in {seconds:F2} s ({bytes / 1e6 / seconds:F1} MB/s)");
            return DemoModelCli.Ok;
        });
        return command;
    }
}
