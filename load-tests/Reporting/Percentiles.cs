namespace Peft.LoadTests.Reporting;

/// <summary>Order statistics of a sample, by linear interpolation between closest ranks (numpy's default).</summary>
internal sealed class Percentiles
{
    private readonly double[] _sorted;

    public Percentiles(IEnumerable<double> values)
    {
        _sorted = values.Order().ToArray();
    }

    public int Count => _sorted.Length;

    public double Mean => _sorted.Length == 0 ? double.NaN : _sorted.Average();

    /// <summary>The p-th percentile, p in [0, 100]; NaN for an empty sample.</summary>
    public double At(double p)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(p, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(p, 100);
        if (_sorted.Length == 0) return double.NaN;
        double rank = p / 100 * (_sorted.Length - 1);
        int lower = (int)Math.Floor(rank);
        int upper = Math.Min(lower + 1, _sorted.Length - 1);
        return _sorted[lower] + (rank - lower) * (_sorted[upper] - _sorted[lower]);
    }

    /// <summary>Fraction of values at or below <paramref name="threshold"/>: SLO attainment.</summary>
    public double FractionAtOrBelow(double threshold)
    {
        if (_sorted.Length == 0) return double.NaN;
        int index = Array.BinarySearch(_sorted, threshold);
        if (index < 0) return (double)~index / _sorted.Length;
        while (index + 1 < _sorted.Length && _sorted[index + 1] == threshold) index++;
        return (double)(index + 1) / _sorted.Length;
    }
}
