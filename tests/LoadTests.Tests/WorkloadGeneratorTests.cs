using Peft.LoadTests.Workload;

namespace Peft.LoadTests.Tests;

public sealed class WorkloadGeneratorTests
{
    private static WorkloadSpec Spec(double alpha = 1.0, int adapters = 8, int? requests = 200, double? seconds = null) => new()
    {
        Rate = 4,
        Adapters = adapters,
        Alpha = alpha,
        PromptLength = LengthDistribution.Parse("4:12"),
        OutputLength = LengthDistribution.Parse("2,5"),
        VocabSize = 100,
        MaxRequests = requests,
        Duration = seconds is { } s ? TimeSpan.FromSeconds(s) : null,
        Seed = 9,
    };

    [Fact]
    public void The_same_seed_gives_the_same_workload()
    {
        var a = WorkloadGenerator.Generate(Spec());
        var b = WorkloadGenerator.Generate(Spec());
        Assert.Equal(a.Count, b.Count);
        Assert.All(a.Zip(b), p =>
        {
            Assert.Equal(p.First.Offset, p.Second.Offset);
            Assert.Equal(p.First.AdapterRank, p.Second.AdapterRank);
            Assert.Equal(p.First.PromptTokens, p.Second.PromptTokens);
            Assert.Equal(p.First.OutputTokens, p.Second.OutputTokens);
        });
    }

    [Fact]
    public void Popularity_settings_change_only_the_adapter_ranks()
    {
        var uniform = WorkloadGenerator.Generate(Spec(alpha: 0, adapters: 3));
        var skewed = WorkloadGenerator.Generate(Spec(alpha: 2, adapters: 50));
        Assert.Equal(uniform.Select(r => r.Offset), skewed.Select(r => r.Offset));
        Assert.Equal(uniform.Select(r => r.PromptTokens.Count), skewed.Select(r => r.PromptTokens.Count));
        Assert.Equal(uniform.Select(r => r.OutputTokens), skewed.Select(r => r.OutputTokens));
        Assert.All(uniform, r => Assert.InRange(r.AdapterRank, 0, 2));
        Assert.All(skewed, r => Assert.InRange(r.AdapterRank, 0, 49));
    }

    [Fact]
    public void Requests_follow_the_distributions_in_arrival_order()
    {
        var requests = WorkloadGenerator.Generate(Spec());
        Assert.Equal(200, requests.Count);
        Assert.Equal(Enumerable.Range(0, 200), requests.Select(r => r.Index));
        Assert.True(requests.Zip(requests.Skip(1)).All(p => p.First.Offset <= p.Second.Offset));
        Assert.All(requests, r =>
        {
            Assert.InRange(r.PromptTokens.Count, 4, 12);
            Assert.Contains(r.OutputTokens, new[] { 2, 5 });
            Assert.All(r.PromptTokens, t => Assert.InRange(t, WorkloadGenerator.FirstPromptToken, 99));
        });
        // Zipf(1) over 8: rank 0 is the most drawn.
        var counts = requests.GroupBy(r => r.AdapterRank).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(0, counts.MaxBy(kv => kv.Value).Key);
    }

    [Fact]
    public void A_duration_bounds_the_arrivals()
    {
        var requests = WorkloadGenerator.Generate(Spec(requests: null, seconds: 10));
        Assert.All(requests, r => Assert.True(r.Offset < TimeSpan.FromSeconds(10)));
        Assert.InRange(requests.Count, 20, 60);   // 40 expected at 4/s
        Assert.Equal(5, WorkloadGenerator.Generate(Spec(requests: 5, seconds: 10)).Count);
    }

    [Fact]
    public void An_unbounded_or_invalid_spec_is_refused()
    {
        Assert.Contains("--duration", Assert.Throws<ArgumentException>(() => WorkloadGenerator.Generate(Spec(requests: null))).Message, StringComparison.Ordinal);
        Assert.Contains("rate", Assert.Throws<ArgumentException>(() => WorkloadGenerator.Generate(Spec() with { Rate = 0 })).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mixed", "Mixed")]
    [InlineData("base", "Base")]
    [InlineData(" Single", "Single")]
    [InlineData("one-at-a-time", "OneAtATime")]
    public void Scenarios_parse_by_name(string name, string expected)
    {
        var scenario = Enum.Parse<Scenario>(expected);
        Assert.Equal(scenario, Scenarios.Parse(name));
        Assert.Equal(scenario, Scenarios.Parse(scenario.Name()));
    }

    [Fact]
    public void Scenarios_map_ranks_to_adapters()
    {
        var ids = new[] { "a0", "a1", "a2" };
        var request = new RequestSpec(0, TimeSpan.Zero, 2, [5], 1);
        Assert.Equal("a2", Scenario.Mixed.AdapterOf(request, ids));
        Assert.Equal("a2", Scenario.OneAtATime.AdapterOf(request, ids));
        Assert.Equal("a0", Scenario.Single.AdapterOf(request, ids));
        Assert.Null(Scenario.Base.AdapterOf(request, ids));
        Assert.Throws<FormatException>(() => Scenarios.Parse("serial"));
    }
}
