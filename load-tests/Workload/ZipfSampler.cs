namespace Peft.LoadTests.Workload;

/// <summary>
/// Draws ranks 0..n-1 with P(k) proportional to 1/(k+1)^alpha: adapter popularity as in the S-LoRA paper.
/// alpha 0 is uniform; larger alpha concentrates traffic on the first adapters.
/// </summary>
internal sealed class ZipfSampler
{
    private readonly double[] _cumulative;

    public ZipfSampler(int n, double alpha)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(alpha);
        _cumulative = new double[n];
        double total = 0;
        for (int k = 0; k < n; k++)
        {
            total += 1.0 / Math.Pow(k + 1, alpha);
            _cumulative[k] = total;
        }
        for (int k = 0; k < n; k++) _cumulative[k] /= total;
    }

    public int Count => _cumulative.Length;

    public double Probability(int rank) => rank == 0 ? _cumulative[0] : _cumulative[rank] - _cumulative[rank - 1];

    public int Next(Random random)
    {
        int index = Array.BinarySearch(_cumulative, random.NextDouble());
        return Math.Min(index < 0 ? ~index : index, _cumulative.Length - 1);
    }
}
