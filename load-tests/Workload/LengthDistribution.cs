using System.Globalization;

namespace Peft.LoadTests.Workload;

/// <summary>
/// Token counts for prompts or outputs: <c>"32"</c> (fixed), <c>"8:64"</c> (uniform, both ends included) or
/// <c>"16,32,128"</c> (one of the listed values, each equally likely; repeat a value to weight it).
/// </summary>
internal sealed class LengthDistribution
{
    private readonly int[]? _values;
    private readonly int _min;
    private readonly int _max;

    private LengthDistribution(int min, int max, int[]? values, string text)
    {
        _min = min;
        _max = max;
        _values = values;
        Text = text;
    }

    public string Text { get; }

    public int Min => _values?.Min() ?? _min;

    public int Max => _values?.Max() ?? _max;

    public double Mean => _values?.Average() ?? (_min + _max) / 2.0;

    public static LengthDistribution Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        string t = text.Trim();
        if (t.Contains(':', StringComparison.Ordinal))
        {
            var parts = t.Split(':');
            if (parts.Length != 2) throw new FormatException($"length range '{text}' must be MIN:MAX");
            int min = Positive(parts[0], text), max = Positive(parts[1], text);
            if (max < min) throw new FormatException($"length range '{text}' has MAX below MIN");
            return new LengthDistribution(min, max, null, t);
        }
        var values = t.Split(',').Select(v => Positive(v, text)).ToArray();
        return values.Length == 1 ? new LengthDistribution(values[0], values[0], null, t) : new LengthDistribution(0, 0, values, t);
    }

    public int Next(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return _values is not null ? _values[random.Next(_values.Length)] : random.Next(_min, _max + 1);
    }

    public override string ToString() => Text;

    private static int Positive(string value, string whole)
    {
        if (!int.TryParse(value.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) || n < 1)
            throw new FormatException($"length '{value}' in '{whole}' is not a positive integer");
        return n;
    }
}
