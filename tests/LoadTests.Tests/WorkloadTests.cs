using Peft.LoadTests.Reporting;
using Peft.LoadTests.Workload;

namespace Peft.LoadTests.Tests;

public sealed class WorkloadTests
{
    [Fact]
    public void Zipf_draws_follow_the_power_law()
    {
        var zipf = new ZipfSampler(100, 1.0);
        var random = new Random(7);
        var counts = new int[100];
        const int draws = 200_000;
        for (int i = 0; i < draws; i++) counts[zipf.Next(random)]++;

        double harmonic = Enumerable.Range(1, 100).Sum(k => 1.0 / k);
        Assert.Equal(1 / harmonic, zipf.Probability(0), 12);
        Assert.Equal(1 / harmonic, counts[0] / (double)draws, 2);
        Assert.Equal(zipf.Probability(9), counts[9] / (double)draws, 2);
        Assert.Equal(2.0, counts[0] / (double)counts[1], 1);
    }

    [Fact]
    public void Zipf_with_alpha_zero_is_uniform()
    {
        var zipf = new ZipfSampler(4, 0);
        Assert.All(Enumerable.Range(0, 4), k => Assert.Equal(0.25, zipf.Probability(k), 12));
    }

    [Fact]
    public void Poisson_gaps_have_mean_one_over_the_rate()
    {
        var offsets = PoissonArrivals.Offsets(20, new Random(3)).Take(20_000).ToArray();
        Assert.InRange(offsets[^1].TotalSeconds, 975.0, 1025.0);
        Assert.True(offsets.Zip(offsets.Skip(1)).All(p => p.First < p.Second));
    }

    [Fact]
    public void Percentiles_interpolate_like_numpy()
    {
        var p = new Percentiles(new double[] { 15, 20, 35, 40, 50 });
        Assert.Equal(15, p.At(0));
        Assert.Equal(35, p.At(50));
        Assert.Equal(46, p.At(90), 10);
        Assert.Equal(50, p.At(100));
        Assert.Equal(32, p.Mean);
        Assert.Equal(0.6, p.FractionAtOrBelow(35));
        Assert.Equal(0.4, p.FractionAtOrBelow(34));
        Assert.True(double.IsNaN(new Percentiles([]).At(50)));
    }
}
