namespace Peft.Tools.DemoModel.Common;

/// <summary>
/// A small seeded generator (SplitMix64). We own it rather than use <see cref="Random"/> so that the bytes of the
/// checked-in corpus and datasets depend only on this file, never on a runtime's choice of algorithm.
/// </summary>
internal sealed class SeededRandom(ulong seed)
{
    private ulong _state = seed;

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, <paramref name="count"/>); the modulo bias is below 2^-40 for our small counts.</summary>
    public int Next(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        return (int)(NextUInt64() % (ulong)count);
    }

    /// <summary>Uniform in [<paramref name="min"/>, <paramref name="max"/>], both ends included.</summary>
    public int NextInclusive(int min, int max) => min + Next(max - min + 1);

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool Chance(double p) => (NextUInt64() >> 11) * (1.0 / (1UL << 53)) < p;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    /// <summary>Fisher–Yates, in place.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>An independent generator for a sub-stream, so that adding draws in one place does not shift another.</summary>
    public SeededRandom Fork() => new(NextUInt64());
}
