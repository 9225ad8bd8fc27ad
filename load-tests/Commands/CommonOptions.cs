using System.CommandLine;
using Peft.LoadTests.Synthetic;

namespace Peft.LoadTests.Commands;

/// <summary>Options every command takes.</summary>
internal sealed class CommonOptions
{
    public Option<string> Out { get; } = new("--out")
    {
        Description = "Directory for the JSON, markdown and PNG results",
        DefaultValueFactory = _ => Path.Combine("load-tests", "results"),
        Recursive = true,
    };

    public Option<string> Cache { get; } = new("--cache")
    {
        Description = "Where synthetic checkpoints and adapters are written once and reused",
        DefaultValueFactory = _ => BenchCache.DefaultRoot,
        Recursive = true,
    };

    public Option<int> Seed { get; } = new("--seed") { Description = "Seed of weights, prompts and arrivals", DefaultValueFactory = _ => 1, Recursive = true };

    public Option<int?> Threads { get; } = new("--threads") { Description = "libtorch intra-op threads (default: libtorch's own choice, one per core)", Recursive = true };

    public void AddTo(RootCommand root)
    {
        root.Options.Add(Out);
        root.Options.Add(Cache);
        root.Options.Add(Seed);
        root.Options.Add(Threads);
    }

    /// <summary>Applies process-wide settings (libtorch threads) before a command runs.</summary>
    public void Apply(System.CommandLine.ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        if (parse.GetValue(Threads) is { } threads) TorchSharp.torch.set_num_threads(threads);
    }

    /// <summary>Writes a report as JSON and markdown under --out; returns the markdown path.</summary>
    public static string Save<T>(string directory, string name, T report, string markdown, TextWriter log)
    {
        Directory.CreateDirectory(directory);
        string json = Path.Combine(directory, $"{name}.json"), md = Path.Combine(directory, $"{name}.md");
        Reporting.JsonReport.Write(json, report);
        File.WriteAllText(md, markdown);
        log.WriteLine($"wrote {json} and {md}");
        return md;
    }
}
