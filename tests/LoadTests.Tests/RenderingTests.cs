using System.Text.Json;
using Peft.LoadTests.Benchmarks;
using Peft.LoadTests.Reporting;
using Peft.LoadTests.Workload;

namespace Peft.LoadTests.Tests;

public sealed class RenderingTests
{
    private static readonly MachineInfo Machine = new("Linux", ".NET 10", 2, 2, 23.5, "cpu", "CPU", 1.5, DateTimeOffset.UnixEpoch, "dotnet run -- load");

    [Fact]
    public void Markdown_tables_align_numbers_escape_pipes_and_show_missing_values()
    {
        string table = new MarkdownTable("name", "value", "ratio").Row("a|b", 1234.5678, double.NaN).Row("c", 0.01234, 2.5).ToString();
        var lines = table.TrimEnd().Split('\n');
        Assert.Equal("| name | value | ratio |", lines[0]);
        Assert.Equal("|---|---:|---:|", lines[1]);
        Assert.Equal("| a\\|b | 1235 | — |", lines[2]);
        Assert.Equal("| c | 0.012 | 2.50 |", lines[3]);
        Assert.Throws<ArgumentException>(() => new MarkdownTable("one").Row(1, 2));
    }

    [Fact]
    public void Json_reports_are_snake_case_and_carry_nan_as_a_string()
    {
        var report = ReportAggregator.Summarize("mixed", 1.5, [], new SloSpec(1, 0.1, 10));
        using var doc = JsonDocument.Parse(JsonReport.Serialize(report));
        var root = doc.RootElement;
        Assert.Equal("mixed", root.GetProperty("scenario").GetString());
        Assert.Equal(1.5, root.GetProperty("rate").GetDouble());
        Assert.Equal("NaN", root.GetProperty("requests_per_second").GetString());
        Assert.Equal(0.1, root.GetProperty("slo").GetProperty("spec").GetProperty("tpot").GetDouble());
        Assert.True(root.GetProperty("end_to_end").TryGetProperty("p99", out _));
    }

    [Fact]
    public void The_load_report_renders_one_row_per_scenario_and_rate_with_errors_named()
    {
        var slo = new SloSpec(1, 0.1, 10);
        RequestRecord[] records =
        [
            new(0, "a", 4, 3, 0, 0, 0.2, 0.4, 0.4, 3, "OK"),
            new(1, "a", 4, 3, 0.5, 0.5, null, null, 0.5, 0, "ResourceExhausted"),
        ];
        var settings = new LoadSettings
        {
            Rates = [1, 2], Adapters = 4, Alpha = 1, PromptLength = "4", OutputLength = "3", DurationSeconds = 5, DrainSeconds = 10,
            Scenarios = ["mixed", "base"], Slo = slo, Target = "in-process engine",
        };
        var results = new[] { ("mixed", 1.0), ("base", 1.0), ("mixed", 2.0) }.Select(p => ReportAggregator.Summarize(p.Item1, p.Item2, records, slo)).ToArray();
        string md = LoadMarkdown.Render(new LoadReport(Machine, settings, results, ["load-e2e-cdf.png"]));
        Assert.Contains("`dotnet run -- load`", md, StringComparison.Ordinal);
        Assert.Contains("Zipf(1) over 4 adapters", md, StringComparison.Ordinal);
        Assert.Equal(3, md.Split('\n').Count(l => l.StartsWith("| mixed", StringComparison.Ordinal) || l.StartsWith("| base", StringComparison.Ordinal)));
        Assert.Contains("ResourceExhausted 1", md, StringComparison.Ordinal);
        Assert.Contains("![load-e2e-cdf.png](load-e2e-cdf.png)", md, StringComparison.Ordinal);
    }

    [Fact]
    public void The_lora_report_shows_the_headline_ratios()
    {
        var summary = new KernelSummary("gather", BaseTokensPerSecond: 100, MixedTokensPerSecond: 90, SingleTokensPerSecond: 95,
            OneAtATimeTokensPerSecond: 15, BaseDecodeTokensPerSecond: 120, MixedDecodeTokensPerSecond: 100);
        Assert.Equal(0.9, summary.MixedOverBase, 9);
        Assert.Equal(6.0, summary.MixedOverOneAtATime, 9);
        Assert.Equal(0.85, (summary with { MixedOverBaseByRepetition = [0.95, 0.8, 0.85] }).MixedOverBasePaired, 9);
        var report = new LoraReport
        {
            Machine = Machine, Settings = new LoraSettings(), Runs = [], Summary = [summary with { MixedOverBaseByRepetition = [0.95, 0.8, 0.85] }],
            Profile = [new DecodeProfileRow("base only", 32, 128, 5, 100, 1, 90, 60, 20, 0, 10, 9)],
        };
        string md = LoraMarkdown.Render(report);
        // The paired median leads; the ratio of medians, the decode-phase ratio and the baselines follow.
        Assert.Contains("| gather | 100 | 90.0 | 95.0 | 15.0 | 0.850 | 0.950, 0.800, 0.850 | 0.900 | 0.833 | 6.00 | 0.950 |", md, StringComparison.Ordinal);
        Assert.Contains("| base only | 100 | 1.00 | 60.0 | 20.0 | 0.000 | 10.0 | 9.00 |", md, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(JsonReport.Serialize(report));
        Assert.Equal(6.0, doc.RootElement.GetProperty("summary")[0].GetProperty("mixed_over_one_at_a_time").GetDouble(), 9);
    }

    [Fact]
    public void Plots_are_written_as_png()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"peft-plots-{Guid.NewGuid():N}");
        try
        {
            var run = new ScenarioRun(ReportAggregator.Summarize("mixed", 1, [new(0, "a", 4, 3, 0, 0, 0.2, 0.4, 0.4, 3, "OK")], new SloSpec(1, 1, 1)),
                [new(0, "a", 4, 3, 0, 0, 0.2, 0.4, 0.4, 3, "OK")]);
            var files = LoadPlots.Draw(dir, "t", [run, run with { Report = run.Report with { Rate = 2 } }]);
            Assert.Equal(7, files.Count);   // two CDFs per rate, three sweep charts
            foreach (var file in files)
            {
                var bytes = File.ReadAllBytes(Path.Combine(dir, file));
                Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
            }
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
